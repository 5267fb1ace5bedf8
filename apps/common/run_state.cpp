#include "apps/common/run_state.h"

#include "autograd/ops.h"

namespace gs::apps {
namespace {

std::vector<int64_t> integers(const StateDict& state, const std::string& name, size_t count, const std::string& path,
                              const std::string& kind) {
  const auto found = state.find(name);
  check(found != state.end(), path, ": not a ", kind, " checkpoint (no '", name, "')");
  const std::vector<int64_t> values = found->second.to_vector<int64_t>();
  check(values.size() == count, path, ": malformed run state ('", name, "' has ", values.size(), " values, not ",
        count, ")");
  return values;
}

}  // namespace

void save_stream(StateDict& state, const std::string& name, const Generator& stream) {
  state["run." + name] =
      tensor(std::vector<int64_t>{static_cast<int64_t>(stream.seed()), static_cast<int64_t>(stream.offset())});
}

void save_position(StateDict& state, int64_t iteration, int64_t epoch, int64_t batch_in_epoch) {
  state["run.position"] = tensor(std::vector<int64_t>{iteration, epoch, batch_in_epoch});
}

void load_stream(const StateDict& state, const std::string& name, Generator& stream, const std::string& path,
                 const std::string& kind) {
  const std::vector<int64_t> values = integers(state, "run." + name, 2, path, kind);
  stream.set_state(static_cast<uint64_t>(values[0]), static_cast<uint64_t>(values[1]));
}

void load_position(const StateDict& state, RunPosition position, const std::string& path, const std::string& kind) {
  const std::vector<int64_t> values = integers(state, "run.position", 3, path, kind);
  position.iteration = values[0];
  position.epoch = values[1];
  position.batch_in_epoch = values[2];
}

}  // namespace gs::apps
