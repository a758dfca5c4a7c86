/* Wine 8 (Debian 12's) has no bcryptprimitives.dll, which every Windows 10 and later has
 * and Rust's standard library asks for random bytes (ProcessPrng). This stand-in goes into
 * the CI's own Wine prefix only, so the unchanged binary can run there; it is never
 * shipped. It draws from advapi32's RtlGenRandom, Windows' long-standing CSPRNG entry. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
