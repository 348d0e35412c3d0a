/* CNetlink: libnl-3 / libnl-route-3 headers for the Swift "Netlink" target.
 * The include path (-I/usr/include/libnl3) comes from pkg-config libnl-route-3.0. */
#ifndef CNETLINK_SHIM_H
#define CNETLINK_SHIM_H

/* glibc's <net/if.h> first: if_indextoname(), IF_NAMESIZE, IFF_*. */
#include <net/if.h>
#include <errno.h>
#include <sys/socket.h>

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

/* The batch socket: a receive queue for a whole batch's acknowledgements (SO_RCVBUFFORCE
 * as root, else as much as rmem_max allows) and a receive timeout, so that an answer the
 * kernel dropped can never stall carpd. Returns 0 or a negative NLE_* code. */
#include <errno.h>
#include <sys/time.h>
static inline int cnl_batch_socket_setup(struct nl_sock *sk, int bytes, int timeout_ms)
{
    int fd = nl_socket_get_fd(sk);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
        return -nl_syserr2nlerr(errno);
    struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
        return -nl_syserr2nlerr(errno);
    /* Acknowledgements without the request copied back: small, so one fixed buffer takes
     * any of them (older kernels without the option echo it; still well under the buffer). */
    int one = 1;
    (void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    return 0;
}

/* A batch of requests in one sendmsg: msgs[0..count) go out together (the kernel handles
 * them one after another, each with its own acknowledgement, and goes on after a failed
 * one), then one acknowledgement per request is read. errors[i] becomes 0 or the negative
 * NLE_* code of request i. Returns 0, or a negative NLE_* code when the batch could not be
 * sent or its answers not read (a timeout, a dropped answer); requests left without an
 * answer then keep -NLE_FAILURE and the socket should not be used again: late answers
 * may still arrive on it.
 * The messages stay the caller's to free. The answers are read here, not by libnl's
 * nl_recvmsgs, whose sequence check would then be out of step: use a socket that carries
 * nothing but batches. */
#include <stdlib.h>
#include <sys/uio.h>
static inline int cnl_send_batch(struct nl_sock *sk, struct nl_msg **msgs, int count, int *errors)
{
    if (count <= 0)
        return 0;
    struct iovec *iov = calloc((size_t)count, sizeof(*iov));
    if (!iov)
        return -NLE_NOMEM;
    uint32_t first = 0;
    for (int i = 0; i < count; i++) {
        struct nlmsghdr *h = nlmsg_hdr(msgs[i]);
        nl_complete_msg(sk, msgs[i]); /* port id and the next sequence number */
        h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        if (i == 0)
            first = h->nlmsg_seq;
        iov[i].iov_base = h;
        iov[i].iov_len = h->nlmsg_len;
        errors[i] = -NLE_FAILURE;
    }
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    struct msghdr mh = { .msg_name = &kernel, .msg_namelen = sizeof(kernel), .msg_iov = iov, .msg_iovlen = (size_t)count };
    ssize_t sent;
    do
        sent = sendmsg(nl_socket_get_fd(sk), &mh, 0);
    while (sent < 0 && errno == EINTR);
    free(iov);
    if (sent < 0)
        return -nl_syserr2nlerr(errno);
    int pending = count;
    /* One recv per acknowledgement into this buffer (libnl's nl_recv peeks first: two
     * system calls and an allocation each). */
    unsigned char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
    while (pending > 0) {
        ssize_t got = recv(nl_socket_get_fd(sk), buf, sizeof(buf), MSG_TRUNC);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -nl_syserr2nlerr(errno) : -NLE_FAILURE;
        if ((size_t)got > sizeof(buf))
            return -NLE_MSG_TRUNC;
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        int left = (int)got;
        for (; nlmsg_ok(h, left); h = nlmsg_next(h, &left)) {
            if (h->nlmsg_type != NLMSG_ERROR)
                continue;
            uint32_t index = h->nlmsg_seq - first;
            if (index >= (uint32_t)count || errors[index] != -NLE_FAILURE)
                continue;
            struct nlmsgerr *e = nlmsg_data(h);
            errors[index] = e->error ? -nl_syserr2nlerr(-e->error) : 0;
            pending--;
        }
    }
    return 0;
}

#endif
