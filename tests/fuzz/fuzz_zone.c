/* libFuzzer target: the zone-file reader, with a read -> print -> re-read round-trip oracle. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/rrtype.h"
#include "dns/zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t rd[65535], rd2[65535];
static char line[4 * 65536 + 1024];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t origin[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };
	struct tw_dns_zreader r, r2;
	struct tw_dns_zrr a, b;
	int rc, n;
	tw_dns_zreader_init(&r, (const char *)data, size, "fuzz", origin, 3600);
	while ((rc = tw_dns_zreader_next(&r, &a, rd, sizeof(rd))) != 0) {
		if (rc < 0 && r.err[0] == 0)
			abort(); /* every error explains itself */
		if (rc < 0)
			continue;
		if (tw_dns_rdata_check(a.type, a.rdata, a.rdlen, 0, a.rdlen) != 0)
			abort();
		n = tw_dns_rr_to_str(a.owner, a.type, a.cls, a.ttl, a.rdata, a.rdlen, line,
				     sizeof(line));
		if (n < 0)
			abort();
		tw_dns_zreader_init(&r2, line, (size_t)n, "printed", NULL, 0);
		if (tw_dns_zreader_next(&r2, &b, rd2, sizeof(rd2)) != 1 || b.type != a.type ||
		    b.cls != a.cls || b.ttl != a.ttl || b.owner_len != a.owner_len ||
		    memcmp(b.owner, a.owner, a.owner_len) != 0 || b.rdlen != a.rdlen ||
		    memcmp(b.rdata, a.rdata, a.rdlen) != 0 ||
		    tw_dns_zreader_next(&r2, &b, rd2, sizeof(rd2)) != 0)
			abort();
	}
	return 0;
}
