#include "nn/class_codes.h"

#include <algorithm>
#include <cctype>

#include "autograd/ops.h"
#include "nn/checkpoint.h"

namespace gs::latent {
namespace {

// Rows `indices` of `rows` [N, ...], stacked.
Tensor take_rows(const Tensor& rows, const std::vector<int64_t>& indices) {
  std::vector<Tensor> taken;
  for (int64_t i : indices) taken.push_back(rows.select(0, i));
  return stack(taken, 0);
}

}  // namespace

CodeLabels label_codes(const Network& generator, const Network& classifier, const Tensor& codes, int64_t batch,
                       const ProgressCallback& progress) {
  check(codes.dim() == 2, "label_codes: codes must be [M, D], not ", shape_str(codes.shape()));
  check(batch > 0, "label_codes: the batch size must be positive, not ", batch);
  std::vector<Tensor> labels, confidence;
  for (int64_t start = 0; start < codes.size(0); start += batch) {
    const int64_t count = std::min(batch, codes.size(0) - start);
    const Tensor probabilities = classifier(generator(codes.narrow(0, start, count))).to(Device::cpu()).to(kFloat64);
    labels.push_back(argmax(probabilities, 1));
    confidence.push_back(max(probabilities, {1}));
    if (progress) progress(start + count);
  }
  return {cat(labels, 0), cat(confidence, 0)};
}

ClassCodes class_mean_codes(const Tensor& codes, const CodeLabels& labels, double threshold, int64_t classes) {
  check(codes.dim() == 2 && labels.labels.dim() == 1 && codes.size(0) == labels.labels.size(0),
        "class_mean_codes: ", codes.size(0), " codes but ", labels.labels.size(0), " labels");
  const Tensor z = codes.to(Device::cpu()).to(kFloat64);
  const std::vector<int64_t> label = labels.labels.to_vector<int64_t>();
  const std::vector<double> confidence = labels.confidence.to_vector<double>();
  ClassCodes result;
  std::vector<Tensor> means, spreads;
  for (int64_t c = 0; c < classes; ++c) {
    std::vector<int64_t> members;
    for (size_t i = 0; i < label.size(); ++i)
      if (label[i] == c && confidence[i] >= threshold) members.push_back(static_cast<int64_t>(i));
    check(members.size() >= 2, "class ", c, ": only ", members.size(), " of ", label.size(),
          " generated images were classified as ", c, " with confidence >= ", threshold,
          "; draw more codes or lower the threshold (or the generator does not draw this class)");
    const Tensor class_codes = take_rows(z, members);
    means.push_back(mean(class_codes, {0}));
    spreads.push_back(sqrt(var(class_codes, {0}, true)));
    result.counts.push_back(static_cast<int64_t>(members.size()));
  }
  result.means = stack(means, 0);
  result.spreads = stack(spreads, 0);
  return result;
}

std::vector<std::pair<int64_t, int>> parse_class_expression(const std::string& expression, int64_t classes) {
  std::vector<std::pair<int64_t, int>> terms;
  int sign = 1;
  bool expect_class = true;
  for (size_t i = 0; i < expression.size(); ++i) {
    const char c = expression[i];
    if (c == ' ') continue;
    if (expect_class && std::isdigit(static_cast<unsigned char>(c)) && c - '0' < classes) {
      terms.emplace_back(c - '0', sign);
      expect_class = false;
    } else if (!expect_class && (c == '+' || c == '-')) {
      sign = c == '+' ? 1 : -1;
      expect_class = true;
    } else {
      fail("class expression '", expression, "': expected ",
           expect_class ? "a class 0.." + std::to_string(classes - 1) : std::string("+ or -"), " at position ", i + 1,
           " but found '", c, "' (write e.g. 7-1+4)");
    }
  }
  check(!terms.empty() && !expect_class, "class expression '", expression,
        "': it must start and end with a class, e.g. 7-1+4");
  return terms;
}

Tensor class_arithmetic(const ClassCodes& class_codes, const std::string& expression) {
  Tensor code = zeros({class_codes.means.size(1)}, kFloat64);
  for (const auto& [label, sign] : parse_class_expression(expression, class_codes.means.size(0)))
    code = code + class_codes.means.select(0, label) * static_cast<double>(sign);
  return code;
}

void save_class_codes(const ClassCodes& class_codes, const std::string& path) {
  save(StateDict{{"class_means", class_codes.means},
                 {"class_spreads", class_codes.spreads},
                 {"class_counts", tensor(class_codes.counts)}},
       path, {{"format", "gradschool latent class codes"}});
}

ClassCodes load_class_codes(const std::string& path) {
  StateDict state = load(path);
  for (const char* name : {"class_means", "class_spreads", "class_counts"})
    check(state.count(name) == 1, path, ": not a class-codes file of `latent attributes` (no '", name, "')");
  ClassCodes result{state["class_means"].to(kFloat64), state["class_spreads"].to(kFloat64),
                    state["class_counts"].to_vector<int64_t>()};
  check(result.means.dim() == 2 && result.spreads.shape() == result.means.shape() &&
            static_cast<int64_t>(result.counts.size()) == result.means.size(0),
        path, ": the class means ", shape_str(result.means.shape()), ", spreads ",
        shape_str(result.spreads.shape()), " and ", result.counts.size(), " counts do not fit together");
  return result;
}

SyntheticImages synthesize(const Network& generator, const Network& classifier, const ClassCodes& class_codes,
                           const SynthesisSettings& settings, Generator& noise, const ProgressCallback& progress) {
  const int64_t classes = class_codes.means.size(0), latent_size = class_codes.means.size(1);
  check(settings.count >= classes, "synthesize: ", settings.count, " images cannot cover ", classes, " classes");
  check(settings.batch > 0, "synthesize: the batch size must be positive, not ", settings.batch);
  SyntheticImages result;
  std::vector<Tensor> images, labels;
  int64_t done = 0;
  for (int64_t c = 0; c < classes; ++c) {
    const int64_t quota = settings.count / classes + (c < settings.count % classes ? 1 : 0);
    const Tensor mean = class_codes.means.select(0, c);
    const Tensor spread = class_codes.spreads.select(0, c) * settings.noise_scale;
    int64_t kept = 0, drawn = 0;
    while (kept < quota) {
      check(drawn <= quota * settings.max_draws_per_image, "class ", c, ": after ", drawn, " codes drawn near its ",
            "mean only ", kept, " images were confirmed as ", c, " (threshold ", settings.threshold,
            "); lower --threshold or --noise-scale, or train the generator longer");
      const Tensor generated = generator(mean + spread * randn({settings.batch, latent_size}, noise, kFloat64)).to(Device::cpu());
      const Tensor probabilities = classifier(generated).to(Device::cpu()).to(kFloat64);
      const std::vector<int64_t> predicted = argmax(probabilities, 1).to_vector<int64_t>();
      const std::vector<double> confidence = max(probabilities, {1}).to_vector<double>();
      std::vector<int64_t> accepted;
      for (int64_t i = 0; i < settings.batch && kept < quota; ++i, ++drawn) {
        if (predicted[i] == c && confidence[i] >= settings.threshold) {
          accepted.push_back(i);
          ++kept;
        }
      }
      if (!accepted.empty()) images.push_back(take_rows(generated, accepted));
      if (progress) progress(done + kept);
    }
    done += quota;
    labels.push_back(full({quota}, static_cast<double>(c), kInt64));
    result.drawn.push_back(drawn);
    result.rejected.push_back(drawn - kept);
  }
  result.images = cat(images, 0);
  result.labels = cat(labels, 0);
  return result;
}

}  // namespace gs::latent
