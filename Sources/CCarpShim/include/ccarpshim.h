/*
 * ccarpshim.h - the few Linux/glibc facilities Swift cannot reach directly.
 *
 * Swift imports neither function-like macros (CMSG_*, BPF_STMT, SIG_IGN)
 * nor variadic functions (syslog), and Swift's Glibc module map leaves out
 * <sys/epoll.h>, <sys/signalfd.h> and <netpacket/packet.h>. Everything here
 * is prefixed carp_ and is used only by the LinuxHost target.
 *
 * The glibc headers included here are re-read by this module, so Swift attributes some glibc
 * declarations (SOCK_STREAM, ...) to it: Swift files that use libc import CCarpShim as well as Glibc.
 */
#ifndef CCARPSHIM_H
#define CCARPSHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/epoll.h>          /* not in Swift's Glibc module map: epoll_create1, epoll_event */
#include <sys/signalfd.h>       /* not in Swift's Glibc module map: signalfd, signalfd_siginfo */
#include <sys/timerfd.h>        /* not in Swift's Glibc module map: timerfd_create, timerfd_settime */
#include <netpacket/packet.h>   /* not in Swift's Glibc module map: sockaddr_ll for AF_PACKET */
#include <linux/filter.h>       /* sock_filter, sock_fprog: the neighbour responder's kernel filter */
#include <linux/if_ether.h>     /* ETH_P_ALL */

/* CMSG_FIRSTHDR is a macro: Swift cannot call it. */
static inline struct cmsghdr *carp_cmsg_firsthdr(struct msghdr *msg) {
    return CMSG_FIRSTHDR(msg);
}

/* CMSG_NXTHDR is a macro (over __cmsg_nxthdr): Swift cannot call it. */
static inline struct cmsghdr *carp_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg) {
    return CMSG_NXTHDR(msg, cmsg);
}

/* CMSG_DATA is a macro: Swift cannot call it. */
static inline unsigned char *carp_cmsg_data(struct cmsghdr *cmsg) {
    return CMSG_DATA(cmsg);
}

/* CMSG_SPACE is a macro: Swift cannot call it (needed to size control buffers). */
static inline size_t carp_cmsg_space(size_t length) {
    return CMSG_SPACE(length);
}

/* CMSG_LEN is a macro: Swift cannot call it (needed to fill cmsg_len). */
static inline size_t carp_cmsg_len(size_t length) {
    return CMSG_LEN(length);
}

/* glibc declares struct in6_pktinfo only under _GNU_SOURCE, which Swift's Glibc does not set. */
struct carp_in6_pktinfo {
    struct in6_addr ipi6_addr;   /* source (send) or destination (receive) address */
    unsigned int ipi6_ifindex;   /* outgoing (send) or arrival (receive) interface */
};

/* struct mmsghdr, recvmmsg and sendmmsg are _GNU_SOURCE-only: a mirror and two wrappers. */
struct carp_mmsghdr {
    struct msghdr msg_hdr;       /* one datagram */
    unsigned int msg_len;        /* bytes received / sent for it */
};

/* recvmmsg without a timeout. Returns the number of datagrams read, or -1/errno. */
int carp_recvmmsg(int fd, struct carp_mmsghdr *messages, unsigned int count, int flags);

/* sendmmsg. Returns the number of datagrams sent (possibly fewer than count), or -1/errno. */
int carp_sendmmsg(int fd, struct carp_mmsghdr *messages, unsigned int count, int flags);

/* syslog is variadic: Swift cannot call it. Logs msg verbatim (never as a format string). */
void carp_syslog(int priority, const char *message);

/* SIG_IGN is a cast macro Swift cannot import; sets SIGPIPE to ignored. Returns 0 or -1/errno. */
int carp_ignore_sigpipe(void);

/* struct ucred is hidden behind _GNU_SOURCE; reads SO_PEERCRED's uid. Returns 0 or -1/errno. */
int carp_peer_uid(int fd, uint32_t *uid);

/* accept4 is declared only under _GNU_SOURCE; accepts one connection as non-blocking and
 * close-on-exec atomically. Returns the new fd or -1/errno. */
int carp_accept_nonblocking(int fd);

/* BPF_STMT is a macro; attaches a filter that drops every packet so a send-only raw
 * socket never queues received datagrams. Returns 0 or -1/errno. */
int carp_attach_drop_all_filter(int fd);

/* pidfds: syscall() is variadic and pidfd_open has no wrapper Swift's Glibc module shows.
 * carp_pidfd_open returns a close-on-exec pidfd for pid, or -1/errno. */
int carp_pidfd_open(int pid);

/* Sends sig to the process of pidfd (never to a recycled pid). Returns 0 or -1/errno. */
int carp_pidfd_send_signal(int pidfd, int sig);

/* Reaps the child of pidfd if it has exited (waitid P_PIDFD, WNOHANG): returns 0 and sets
 * *code to its exit status or, with *signaled = 1, the signal that killed it; 1 while it
 * runs; -1/errno. */
int carp_pidfd_reap(int pidfd, int *code, int *signaled);

#endif /* CCARPSHIM_H */
