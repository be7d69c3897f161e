/* The key table: the validator's zone facts (validated DNSKEY sets with their
 * prepared keys, proven insecure cuts, bogus zones), shared by every thread
 * through the struct tw_val_keystore interface. */
#include "cache/cache_internal.h"

#include "crypto/key.h"
#include "dns/rrtype.h"

/* A fact is kept by reference; the entry's reference goes with the entry, after
 * its grace period, and queries hold their own for as long as they run. */
struct key_val {
	const struct tw_val_zone *z;
};

/* Zone facts and DS facts of one name sit side by side: the key's type says
 * which (TW_DNS_T_DNSKEY or TW_DNS_T_DS). */
static uint16_t fact_type(const struct tw_val_zone *z)
{
	return tw_val_zone_status(z) == TW_VAL_ZONE_DS ? TW_DNS_T_DS : TW_DNS_T_DNSKEY;
}

static const struct tw_val_zone *ks_lookup(void *state, const uint8_t *name, uint16_t type,
					   uint32_t now)
{
	struct tw_cache_thread *t = state;
	struct tw_cache_kind_stats *ks = &t->stats.kind[TW_CACHE_KIND_KEY];
	uint64_t h;
	size_t klen = cache_key_hash(t, TW_CACHE_KIND_KEY,
				     type == TW_DNS_T_DS ? TW_DNS_T_DS : TW_DNS_T_DNSKEY, 1, 0, name, &h);
	struct cache_entry *e = cache_find(t, t->keybuf, klen, h, now);
	if (!e) {
		CACHE_CNT_INC(ks->misses);
		return NULL;
	}
	CACHE_CNT_INC(ks->hits);
	const struct key_val *v = (const struct key_val *)cache_entry_val(e);
	tw_val_zone_ref(v->z);
	return v->z;
}

static void ks_insert(void *state, const struct tw_val_zone *z)
{
	struct tw_cache_thread *t = state;
	size_t klen = cache_key(t, TW_CACHE_KIND_KEY, fact_type(z), 1, 0, tw_val_zone_name(z));
	struct cache_entry *e = cache_entry_new(t, TW_CACHE_KIND_KEY, t->keybuf, klen,
						sizeof(struct key_val));
	if (!e)
		return;
	tw_val_zone_ref(z);
	((struct key_val *)cache_entry_val(e))->z = z;
	/* the prepared keys are the bulk of a fact (ECDSA tables: 150-200 KB each) */
	size_t keys = 0;
	for (unsigned i = 0; i < tw_val_zone_nkeys(z); i++) {
		const struct tw_val_zone_key *k = tw_val_zone_key(z, i);
		if (k->key)
			keys += tw_crypto_key_mem(k->key);
	}
	e->size += (uint32_t)(keys > UINT32_MAX / 2 ? UINT32_MAX / 2 : keys);
	uint32_t exp = tw_val_zone_expires(z);
	/* The key store is given no clock: the fact's expiry is the validator's
	 * (already capped by its max_ttl), and "now" is the thread's latest clock,
	 * from the lookup that preceded this insert. */
	cache_entry_publish(t, e, cache_hash(t->c, t->keybuf, klen), exp, t->now);
}

void cache_key_entry_release(struct cache_entry *e)
{
	const struct key_val *v = (const struct key_val *)cache_entry_val(e);
	tw_val_zone_unref(v->z);
}

void cache_keystore_init(struct tw_cache_thread *t)
{
	t->keystore.state = t;
	t->keystore.lookup = ks_lookup;
	t->keystore.insert = ks_insert;
}

struct tw_val_keystore *tw_cache_keystore(struct tw_cache_thread *t)
{
	return &t->keystore;
}
