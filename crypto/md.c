/* Digest methods fetched once, and a per-thread digest context. */
#include "crypto/md.h"

#include <pthread.h>

static EVP_MD *sha1, *sha256, *sha384, *sha512;
static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static pthread_key_t ctx_key;

static void free_ctx(void *p)
{
	EVP_MD_CTX_free(p);
}

/* OpenSSL 3 looks a method up in its provider store at every implicit fetch;
 * fetching once and keeping the methods removes that from every digest. */
static void fetch_all(void)
{
	sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	pthread_key_create(&ctx_key, free_ctx);
}

const EVP_MD *tw_md_sha1(void)
{
	pthread_once(&fetch_once, fetch_all);
	return sha1;
}

const EVP_MD *tw_md_sha256(void)
{
	pthread_once(&fetch_once, fetch_all);
	return sha256;
}

const EVP_MD *tw_md_sha384(void)
{
	pthread_once(&fetch_once, fetch_all);
	return sha384;
}

const EVP_MD *tw_md_sha512(void)
{
	pthread_once(&fetch_once, fetch_all);
	return sha512;
}

EVP_MD_CTX *tw_md_ctx(void)
{
	static __thread EVP_MD_CTX *ctx;
	if (!ctx) {
		pthread_once(&fetch_once, fetch_all);
		ctx = EVP_MD_CTX_new();
		if (ctx)
			pthread_setspecific(ctx_key, ctx);
	}
	return ctx;
}
