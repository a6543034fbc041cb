/* A stand-in for Windows 10's bcryptprimitives.dll, for running integridad's Windows build
 * under wine 8.0, which lacks it. Rust's standard library takes its random numbers (hash map
 * seeds) from ProcessPrng; this one asks BCryptGenRandom, which wine has. Never shipped: real
 * Windows has the DLL. */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
