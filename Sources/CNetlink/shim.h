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

#endif
