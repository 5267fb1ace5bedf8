#include "nn/data_parallel.h"

#include "autograd/node.h"
#include "autograd/ops.h"
#include "nn/functional.h"

namespace gs::nn {
namespace {

ProcessGroup* active_group = nullptr;

// One all-reduce for several gradients of one dtype and device: packed into
// a flat buffer, averaged, unpacked.
void average_bucket(ProcessGroup& group, const std::vector<Tensor>& gradients) {
  std::vector<Tensor> flat;
  for (const Tensor& g : gradients) flat.push_back(g.detach().reshape({g.numel()}));
  Tensor bucket = cat(flat, 0);
  group.all_reduce(bucket, ReduceKind::Mean);
  int64_t start = 0;
  for (const Tensor& g : gradients) {
    Tensor target = g;  // a handle to the gradient's storage
    target.copy_(bucket.narrow(0, start, g.numel()).view(g.shape()));
    start += g.numel();
  }
}

}  // namespace

int64_t DataParallel::local_batch(int64_t global_batch, const char* flag) const {
  check(global_batch % ranks() == 0, flag, " ", global_batch, " does not split evenly over ", ranks(),
        " ranks: give a multiple of ", ranks(), " (each rank takes ", flag, " / ", ranks(), " rows)");
  return global_batch / ranks();
}

Tensor DataParallel::shard(const Tensor& global_rows) const {
  const int64_t rows = local_batch(global_rows.size(0), "a global batch of rows");
  return global_rows.narrow(0, rank() * rows, rows);
}

void DataParallel::broadcast_state(Module& module) const {
  if (ranks() == 1) return;
  NoGradGuard no_grad;
  for (auto& [name, tensor] : module.named_parameters()) group_.broadcast(tensor, 0);
  for (auto& [name, tensor] : module.named_buffers()) group_.broadcast(tensor, 0);
}

void DataParallel::average_gradients(const std::vector<Tensor>& parameters) const {
  if (ranks() == 1) return;
  std::vector<Tensor> bucket;
  int64_t bucket_bytes = 0;
  for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
    const Tensor gradient = it->grad();
    if (!gradient.defined()) continue;
    const bool fits = !bucket.empty() && bucket.front().dtype() == gradient.dtype() &&
                      bucket.front().device() == gradient.device() && bucket_bytes < kBucketBytes;
    if (!bucket.empty() && !fits) {
      average_bucket(group_, bucket);
      bucket.clear();
      bucket_bytes = 0;
    }
    bucket.push_back(gradient);
    bucket_bytes += gradient.numel() * static_cast<int64_t>(dtype_size(gradient.dtype()));
  }
  if (!bucket.empty()) average_bucket(group_, bucket);
}

std::vector<double> DataParallel::mean(std::vector<double> values) const {
  if (ranks() == 1 || values.empty()) return values;
  Tensor packed = tensor(values, {static_cast<int64_t>(values.size())});
  group_.all_reduce(packed, ReduceKind::Mean);
  return packed.to_vector<double>();
}

GlobalBatchStep::GlobalBatchStep(const DataParallel& parallel, std::vector<int64_t> segments)
    : draws_(parallel.rank(), parallel.ranks(), std::move(segments)), outer_(active_group) {
  if (parallel.ranks() > 1) active_group = &parallel.group();
}

GlobalBatchStep::~GlobalBatchStep() { active_group = outer_; }

ProcessGroup* global_batch_group() { return active_group; }

}  // namespace gs::nn

namespace gs::F {

// y = (1/R) sum_r x_r on every rank. With loss L_r on rank r and the
// gradients averaged afterwards, rank r's input gradient is
// d(sum_r' L_r')/dx_r = (1/R) sum_r' dL_r'/dy: the mean of the incoming gradients.
Tensor all_reduce_mean(const Tensor& x, ProcessGroup& group) {
  Tensor y = x.detach().contiguous().clone();
  group.all_reduce(y, ReduceKind::Mean);
  ProcessGroup* reducing = &group;
  record(y, "all_reduce_mean", {x}, [reducing](const Tensor& grad) {
    Tensor mean_grad = grad.contiguous().clone();
    reducing->all_reduce(mean_grad, ReduceKind::Mean);
    return std::vector<Tensor>{mean_grad};
  });
  return y;
}

// y = [x_0; x_1; ...; x_{R-1}] (rows of every rank, rank order) on every
// rank, as one all-reduce of zero-padded rows (each rank fills its own
// offset). Rank r's gradient is d(sum_r' L_r')/dx_r: its rows of the sum of
// the incoming gradients.
Tensor all_gather_rows(const Tensor& x, ProcessGroup& group) {
  std::vector<double> own(group.size(), 0.0);
  own[group.rank()] = static_cast<double>(x.size(0));
  Tensor counts = tensor(own, {group.size()});
  group.all_reduce(counts, ReduceKind::Sum);
  const std::vector<double> rows = counts.to_vector<double>();
  int64_t offset = 0, total = 0;
  for (int r = 0; r < group.size(); ++r) {
    if (r == group.rank()) offset = total;
    total += static_cast<int64_t>(rows[r]);
  }
  Shape shape = x.shape();
  shape[0] = total;
  Tensor y = zeros(shape, x.options());
  y.narrow(0, offset, x.size(0)).copy_(x.detach());
  group.all_reduce(y, ReduceKind::Sum);
  ProcessGroup* reducing = &group;
  const int64_t own_rows = x.size(0);
  record(y, "all_gather_rows", {x}, [reducing, offset, own_rows](const Tensor& grad) {
    Tensor summed = grad.contiguous().clone();
    reducing->all_reduce(summed, ReduceKind::Sum);
    return std::vector<Tensor>{summed.narrow(0, offset, own_rows).contiguous()};
  });
  return y;
}

Tensor batch_mean(const Tensor& x) {
  ProcessGroup* group = nn::global_batch_group();
  const Tensor local = x.mean({0});
  return group ? all_reduce_mean(local, *group) : local;
}

}  // namespace gs::F
