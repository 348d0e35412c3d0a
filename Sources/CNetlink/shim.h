/* CNetlink: libnl-3 / libnl-route-3 headers for the Swift "Netlink" target.
 * The include path (-I/usr/include/libnl3) comes from pkg-config libnl-route-3.0. */
#ifndef CNETLINK_SHIM_H
#define CNETLINK_SHIM_H

/* glibc's <net/if.h> first: if_indextoname(), IF_NAMESIZE, IFF_*. */
#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/cache.h>
#include <netlink/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/inet.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/addr.h>
#include <linux/if_link.h>
#include <linux/if_addr.h>
#include <linux/ip.h>

/* IFF_LOWER_UP lives only in <linux/if.h>, which clashes with glibc's <net/if.h>. */
static inline unsigned int cnl_iff_lower_up(void) { return 0x10000; }

/* The addresses of one interface, filtered by the kernel: an RTM_GETADDR dump whose
 * ifaddrmsg names the ifindex, under NETLINK_GET_STRICT_CHK (Linux 4.20+). A full dump
 * costs milliseconds with hundreds of VIPs, and carpd asks on every claim and release.
 * Strict checking is switched on only for this request: libnl's own dump requests carry a
 * bare rtgenmsg, which strict checking refuses. A kernel without it returns every address,
 * so the caller filters too. Returns 0 or a negative NLE_* code; *result is the new cache. */
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
/* RTM_DELLINK with ifi_index 0 and IFLA_GROUP: the kernel deletes every link of the group
 * in one batch. Returns 0 or a negative NLE_* code. */
static inline int cnl_link_delete_group(struct nl_sock *sk, uint32_t group)
{
    struct ifinfomsg request = { .ifi_family = AF_UNSPEC };
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_DELLINK, 0);
    if (!msg)
        return -NLE_NOMEM;
    int err = nlmsg_append(msg, &request, sizeof(request), NLMSG_ALIGNTO);
    if (err >= 0)
        err = nla_put_u32(msg, IFLA_GROUP, group);
    if (err < 0) {
        nlmsg_free(msg);
        return err;
    }
    return nl_send_sync(sk, msg); /* sends, waits for the ACK, frees msg */
}

static inline int cnl_addr_dump_ifindex(struct nl_sock *sk, int ifindex, struct nl_cache **result)
{
    struct nl_cache *cache = NULL;
    int err = nl_cache_alloc_name("route/addr", &cache);
    if (err < 0)
        return err;
    int fd = nl_socket_get_fd(sk), on = 1, off = 0;
    int strict = setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &on, sizeof(on)) == 0;
    struct ifaddrmsg request = { .ifa_family = AF_UNSPEC, .ifa_index = (unsigned int)ifindex };
    err = nl_send_simple(sk, RTM_GETADDR, NLM_F_DUMP, &request, sizeof(request));
    if (err >= 0)
        err = nl_cache_pickup(sk, cache);
    if (strict)
        setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &off, sizeof(off));
    if (err < 0) {
        nl_cache_free(cache);
        return err;
    }
    *result = cache;
    return 0;
}

#endif
