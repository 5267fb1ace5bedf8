// Ctrl-C during training: the first one asks the loop to stop cleanly after
// the current step (so the checkpoint is written); a second one exits at once.
#pragma once

namespace gs::apps {

void install_interrupt_handler();
bool interrupt_requested();

}  // namespace gs::apps
