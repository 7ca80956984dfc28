#pragma once
// The caller's side of process.terminal, for `hull run -t` (and create -t)
// without --console-socket: receive the pty master the init sends over a
// socketpair, then copy between our terminal and the container's until the
// container side hangs up.
#include <functional>
#include <string>

#include "base/unique_fd.hpp"

namespace hull::process {

struct ReceivedPty {
  UniqueFd master;
  std::string name;  // the payload the init sent: "/dev/pts/N"
};

// Receives one fd over a unix socket (the runc console-socket protocol).
// Throws when the peer closes without sending one.
ReceivedPty receive_pty_master(int socket);

struct ProxyOptions {
  int in = 0;  // our terminal (or any input)
  int out = 1;
  // Readable when the proxy should stop (e.g. a pidfd of the container's
  // process): a process left in the background may keep the pty open.
  int stop_fd = -1;
  // Readable while signals for the container are pending (the attached
  // runtime's signalfd): forward_signals passes them on meanwhile, and
  // returns whether a window change was among them.
  int signal_fd = -1;
  std::function<bool()> forward_signals;
};

// The caller's terminal: the first of stderr, `out` and `in` that is one
// (the order runc's console package tries), or -1. Input may be a pipe
// (`echo x | hull exec -t`) while the output is still a terminal.
int caller_terminal(int in = 0, int out = 1);

// Puts the caller's terminal (caller_terminal(in, out)) in raw mode
// (restored on return, also on exceptions), copies its window size to the
// pty now and on every SIGWINCH
// (via a signalfd; SIGWINCH is blocked meanwhile and unblocked after), and
// copies bytes both ways until the master reports hangup (every slave fd is
// closed: the container exited) or stop_fd becomes readable; output still
// buffered in the pty is drained first. End of input is passed on as the
// terminal's EOF character (^D), as a user typing it would. Input waits for
// room in the pty without blocking the rest. Once nobody reads the output
// (its reader gone, the caller's terminal hung up) the master is closed,
// which hangs the container's terminal up, and the proxy returns; output
// that cannot be written otherwise (a full disk) is dropped.
void proxy_terminal(UniqueFd& master, const ProxyOptions& opts = {});

// `hull run` and `hull exec` attached to a terminal without
// process.terminal: the process gets pipes, and the runtime copies between
// them and its own stdio until the process exits, as runc does. The
// caller's terminal passed as it is would stay open in every process left
// in the background (an exec's; a run's without a pid namespace of its own
// or with --keep), which could read what is typed there after hull returned
// (or type into it: TIOCSTI). Engines' containers and execs (detached,
// their own pipes or fifos) and callers whose stdio are files or pipes keep
// their stdio as it is.
struct StdioPipes {
  UniqueFd child[3];  // the process's: stdin's read end, stdout's and stderr's write ends
  UniqueFd ours[3];   // stdin's write end, stdout's and stderr's read ends
};
bool a_terminal_among_stdio();
StdioPipes make_stdio_pipes();
// Copies fd 0 to the process's stdin and its stdout and stderr to fds 1 and
// 2 until opts.stop_fd (the process's pidfd) is readable, then what it wrote
// before it exited; from then on nothing of the caller's reaches a process
// left behind. Input waits for room in the pipe without blocking the rest;
// an output nobody reads any more (its reader gone) has the process's pipe
// closed, so the process's next write there fails (EPIPE) as it would on the
// caller's own pipe; output that cannot be written otherwise (a full disk)
// is dropped. opts.in and opts.out are not used.
void proxy_stdio(StdioPipes& pipes, const ProxyOptions& opts);
// What the process wrote to its stdout and stderr so far, to fds 1 and 2,
// without waiting for more: the warnings an init printed before the error
// that ended its create.
void show_output_so_far(StdioPipes& pipes);

}  // namespace hull::process
