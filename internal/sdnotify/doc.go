// Package sdnotify is the supervisor's side of systemd's sd_notify
// protocol: the notification socket of one run (a unix datagram socket in
// Linux's abstract namespace, named to the child by NOTIFY_SOCKET), the
// sender's pid of each message as the kernel's credentials give it, and
// the parse of a message into its assignments (READY=1, STATUS=, …).
//
// It is mechanism only: what a message does to a run — readiness, the
// watchdog, the status shown — is the overseer package's policy. The
// child's side is package notify. Notification sockets need SO_PASSCRED,
// which only Linux has: elsewhere [Supported] and [Open] report
// errors.ErrUnsupported.
package sdnotify
