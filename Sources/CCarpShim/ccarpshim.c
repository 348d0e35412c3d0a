/* _GNU_SOURCE exposes struct ucred (SO_PEERCRED), and struct in6_pktinfo and struct mmsghdr
 * (layout checks, recvmmsg, sendmmsg). */
#define _GNU_SOURCE
#include "ccarpshim.h"

#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <linux/filter.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The Swift side reads and writes carp_in6_pktinfo where the kernel expects in6_pktinfo. */
_Static_assert(sizeof(struct carp_in6_pktinfo) == sizeof(struct in6_pktinfo),
               "carp_in6_pktinfo must mirror in6_pktinfo");
_Static_assert(offsetof(struct carp_in6_pktinfo, ipi6_ifindex) == offsetof(struct in6_pktinfo, ipi6_ifindex),
               "carp_in6_pktinfo must mirror in6_pktinfo");

/* The Swift side hands arrays of carp_mmsghdr to the kernel as struct mmsghdr. */
_Static_assert(sizeof(struct carp_mmsghdr) == sizeof(struct mmsghdr), "carp_mmsghdr must mirror mmsghdr");
_Static_assert(offsetof(struct carp_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "carp_mmsghdr must mirror mmsghdr");

int carp_recvmmsg(int fd, struct carp_mmsghdr *messages, unsigned int count, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)messages, count, flags, NULL);
}

int carp_sendmmsg(int fd, struct carp_mmsghdr *messages, unsigned int count, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)messages, count, flags);
}

void carp_syslog(int priority, const char *message) {
    /* "%s" so that a '%' in the message is never interpreted. */
    syslog(priority, "%s", message);
}

int carp_ignore_sigpipe(void) {
    struct sigaction action = { 0 };
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGPIPE, &action, NULL);
}

int carp_peer_uid(int fd, uint32_t *uid) {
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
        return -1;
    *uid = (uint32_t)credentials.uid;
    return 0;
}

int carp_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int carp_attach_drop_all_filter(int fd) {
    /* A single "return 0" instruction: accept zero bytes of every packet. */
    struct sock_filter code[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sock_fprog program = { .len = 1, .filter = code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program);
}

int carp_pidfd_open(int pid) {
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int carp_pidfd_send_signal(int pidfd, int sig) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

int carp_pidfd_reap(int pidfd, int *code, int *signaled) {
    siginfo_t info;
    memset(&info, 0, sizeof(info));
    if (waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) < 0)
        return -1;
    if (info.si_pid == 0)
        return 1;
    *signaled = info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED;
    *code = info.si_status;
    return 0;
}
