"""graceful-shutdown.md: Ctrl-C during asyncio.run(main()) runs main's finally blocks on
every version (3.9/3.10 included) and ends in KeyboardInterrupt."""
import os
import signal
import subprocess
import sys

CHILD = r'''
import asyncio

async def main():
    try:
        print("ready", flush=True)
        await asyncio.sleep(10)
    finally:
        print("finally ran", flush=True)

asyncio.run(main())
'''

proc = subprocess.Popen(
    [sys.executable, "-I", "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
)
assert proc.stdout.readline().strip() == "ready"
os.kill(proc.pid, signal.SIGINT)
out, err = proc.communicate(timeout=10)
assert "finally ran" in out, (out, err)
assert "KeyboardInterrupt" in err and proc.returncode != 0, (proc.returncode, err)
