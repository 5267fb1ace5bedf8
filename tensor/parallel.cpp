#include "tensor/parallel.h"

#include <cblas.h>
#include <omp.h>

namespace gs {

int num_threads() { return omp_get_max_threads(); }

void set_num_threads(int threads) {
  if (threads < 1) threads = 1;
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

}  // namespace gs
