#include "apps/common/interrupt.h"

#include <unistd.h>

#include <csignal>

namespace gs::apps {
namespace {

volatile std::sig_atomic_t interrupts = 0;

void on_interrupt(int) {
  if (++interrupts >= 2) _exit(130);
  const char message[] = "\ninterrupted: finishing this step and saving a checkpoint (Ctrl-C again to quit now)\n";
  (void)!write(STDERR_FILENO, message, sizeof message - 1);
}

}  // namespace

void install_interrupt_handler() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

bool interrupt_requested() { return interrupts > 0; }

void clear_interrupt_request() { interrupts = 0; }

}  // namespace gs::apps
