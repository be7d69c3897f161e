/* Private to crypto/: message digests fetched once per process, and one reusable
 * digest context per thread, so no digest allocates per call. */
#ifndef TW_CRYPTO_MD_H
#define TW_CRYPTO_MD_H

#include <openssl/evp.h>

const EVP_MD *tw_md_sha1(void);
const EVP_MD *tw_md_sha256(void);
const EVP_MD *tw_md_sha384(void);
const EVP_MD *tw_md_sha512(void);

/* The calling thread's digest context (created on first use; freed at thread
 * exit). NULL only when OpenSSL cannot allocate. */
EVP_MD_CTX *tw_md_ctx(void);

#endif
