// The two ways padding_demo shows a walkthrough: as text for the terminal
// (--step) and as frames for the GIF and PNG sheet (--gif, --png).
#pragma once
#include <ostream>

#include "apps/common/frame.h"
#include "apps/padding_demo/walkthrough.h"

namespace gs::apps {

// The grid with the step's kernel window marked, the output filled up to this
// step, and the dot product with its numbers. `colour`: ANSI escape codes.
void print_step(std::ostream& out, const Walkthrough& walk, size_t step, bool colour);

// One frame in the style of Dumoulin & Visin's figures: the grid (padding
// cells dashed, inserted zeros shaded), the kernel's footprint with its
// weights, and the output grid filled in up to `step`.
Frame draw_step(const Walkthrough& walk, size_t step);

}  // namespace gs::apps
