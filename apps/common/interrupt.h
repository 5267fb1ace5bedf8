// Ctrl-C during training: the first one asks the loop to stop cleanly after
// the current step (so the checkpoint is written); a second one exits at once.
#pragma once

namespace gs::apps {

void install_interrupt_handler();
bool interrupt_requested();
// Forgets a Ctrl-C that was seen (for tests that send one and go on).
void clear_interrupt_request();

}  // namespace gs::apps
