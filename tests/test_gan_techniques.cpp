// Salimans et al.'s (2016) GAN techniques: minibatch discrimination, virtual
// batch normalisation and historical averaging, their values on small cases
// worked by hand, their gradients (float64 gradcheck), and the DCGAN built
// with each switched on.
#include <cmath>

#include "apps/common/mnist_models.h"
#include "nn/nn.h"
#include "optim/optim.h"
#include "tests/helpers.h"

using namespace gs;
using gs::testing::expect_close;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("minibatch discrimination appends each sample's closeness to the rest of its batch") {
  // One input feature, T = [1, 2]: kernel 0 is M = x, kernel 1 is M = 2x (C = 1).
  Tensor x = tensor(std::vector<double>{0, 1, 3}, {3, 1});
  Tensor T = tensor(std::vector<double>{1, 2}, {1, 2});
  Tensor y = nn::minibatch_discrimination(x, T, 2);
  REQUIRE(y.shape() == Shape{3, 3});
  const double e = std::exp(1.0);
  // Sample 0: distances 1 and 3 (kernel 0), 2 and 6 (kernel 1); its own distance 0 is left out.
  std::vector<double> expected{0, 1 / e + std::pow(e, -3), std::pow(e, -2) + std::pow(e, -6),
                               1, 1 / e + std::pow(e, -2), std::pow(e, -2) + std::pow(e, -4),
                               3, std::pow(e, -3) + std::pow(e, -2), std::pow(e, -6) + std::pow(e, -4)};
  expect_close(y, tensor(expected, {3, 3}), 1e-12, 0);

  // A collapsed batch (every row alike) has every closeness N - 1 = 3: the signal D learns to read.
  Tensor same = ones({4, 5}, kFloat64);
  Generator gen(3);
  Tensor wide = randn({5, 12}, gen, kFloat64);
  expect_close(nn::minibatch_discrimination(same, wide, 4).narrow(1, 5, 4), full({4, 4}, 3.0, kFloat64), 1e-12, 0);

  CHECK(contains(testing::error_message([&] { nn::minibatch_discrimination(x, T, 3); }),
                 "minibatch_discrimination: expects x [N, A] and T [A, kernels * C], got x [3,1], T [1,2] and 3 kernels"));
}

TEST_CASE("MinibatchDiscrimination passes gradcheck in float64") {
  Generator gen(5);
  nn::MinibatchDiscrimination layer(6, 3, 2, gen);
  layer.to(kFloat64);
  {
    NoGradGuard no_grad;
    layer.weight.mul_(10.0);  // distances of order 1, where exp(-d) has gradients worth checking
  }
  CHECK(layer.out_features() == 9);
  Tensor x = testing::random_leaf({5, 6}, 6);
  std::vector<Tensor> inputs{layer.weight, x};
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return square(layer(x)); }, inputs);
  CHECK(contains(testing::error_message([] { nn::MinibatchDiscrimination(4, 0, 5); }), "sizes must be positive"));
}

TEST_CASE("virtual batch norm: the reference batch is batch-normalised, each sample against it and itself") {
  Generator gen(7);
  const int64_t reference_size = 5;
  Tensor reference = randn({reference_size, 3, 2, 2}, gen, kFloat64) * 2.0 + 1.0;
  Tensor samples = randn({2, 3, 2, 2}, gen, kFloat64);
  Tensor y = nn::virtual_batch_norm(cat({reference, samples}, 0), reference_size, Tensor(), Tensor());
  // The reference rows: exactly training-mode batch norm of the reference batch.
  expect_close(y.narrow(0, 0, reference_size),
               F::batch_norm(reference, Tensor(), Tensor(), Tensor(), Tensor(), true, 0.1, 1e-5), 1e-10, 0);
  // Sample 0: batch norm over the reference batch plus it, with weight 1/(R+1) for the sample's own moments.
  Tensor sample = samples.narrow(0, 0, 1);
  Tensor mean_ = (mean(reference, {0, 2, 3}, true) * reference_size + mean(sample, {2, 3}, true)) / (reference_size + 1);
  Tensor square_ = (mean(square(reference), {0, 2, 3}, true) * reference_size + mean(square(sample), {2, 3}, true)) /
                   (reference_size + 1);
  expect_close(y.narrow(0, reference_size, 1), (sample - mean_) / sqrt(square_ - square(mean_) + 1e-5), 1e-10, 0);
  // A sample's output does not depend on the other samples of its batch (batch norm's would).
  Tensor alone = nn::virtual_batch_norm(cat({reference, sample}, 0), reference_size, Tensor(), Tensor());
  expect_close(alone.narrow(0, reference_size, 1), y.narrow(0, reference_size, 1), 1e-12, 0);

  CHECK(contains(testing::error_message([&] { nn::virtual_batch_norm(samples, 3, Tensor(), Tensor()); }),
                 "whose first 3 rows are the reference batch, got [2,3,2,2]"));
}

TEST_CASE("VirtualBatchNorm passes gradcheck in float64, [N, C] and [N, C, H, W]") {
  for (int64_t dims : {2, 4}) {
    CAPTURE(dims);
    nn::VirtualBatchNorm layer(3, 4, dims);
    layer.to(kFloat64);
    Tensor x = testing::random_leaf(dims == 2 ? Shape{6, 3} : Shape{6, 3, 2, 3}, 8 + dims);
    {
      NoGradGuard no_grad;
      layer.weight.copy_(tensor(std::vector<double>{0.5, 2.0, -1.0}));
      layer.bias.copy_(tensor(std::vector<double>{0.1, 0.0, 0.3}));
    }
    // Weighted by a fixed random tensor so that the loss is not invariant under the normalisation.
    Generator weight_stream(9);
    Tensor weights = randn(x.shape(), weight_stream, kFloat64);
    std::vector<Tensor> inputs{x, layer.weight, layer.bias};
    testing::expect_gradients_match([&](const std::vector<Tensor>&) { return layer(x) * weights; }, inputs);
  }
  nn::VirtualBatchNorm layer(3, 4, 2);
  CHECK(contains(testing::error_message([&] { layer(ones({6, 2})); }), "VirtualBatchNorm(3): expects [N, C] with C = 3"));
}

TEST_CASE("PrependReference and DropReference put the reference batch in front and take it off again") {
  Tensor reference = tensor(std::vector<double>{1, 2, 3, 4}, {2, 2});
  nn::Sequential model(nn::PrependReference(reference), nn::DropReference(2));
  Tensor x = tensor(std::vector<double>{5, 6}, {1, 2});
  expect_close(nn::PrependReference(reference)(x), tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}), 0, 0);
  expect_close(model(x), x, 0, 0);
  CHECK(model.state_dict().count("0.reference") == 1);  // saved with the model
  CHECK(contains(testing::error_message([&] { nn::PrependReference(reference).forward(ones({1, 3}, kFloat64)); }),
                 "the input [1,3] does not fit the reference batch [2,2]"));
}

TEST_CASE("PolyakAverage::running_mean is the plain mean of every value seen") {
  Tensor p = tensor(std::vector<double>{1.0});
  optim::PolyakAverage mean_of_past = optim::PolyakAverage::running_mean({p});
  for (double value : {1.0, 2.0, 6.0}) {
    p.fill_(value);
    mean_of_past.update();
  }
  expect_close(mean_of_past.running_means()[0], tensor(std::vector<double>{3.0}), 1e-15, 0);
  Tensor target = zeros({1}, kFloat64);
  mean_of_past.copy_to({target});
  expect_close(target, tensor(std::vector<double>{3.0}), 1e-15, 0);  // no bias correction for a plain mean
  optim::PolyakAverage exponential({p}, 0.9);
  CHECK(contains(testing::error_message([&] { exponential.running_means(); }), "biased towards 0"));
}

TEST_CASE("historical averaging: weight * ||theta - mean of past theta||^2, gradchecked, kept in a checkpoint") {
  Tensor a = testing::random_leaf({3, 2}, 11), b = testing::random_leaf({4}, 12);
  optim::HistoricalAverage history({a, b}, 0.5);
  CHECK(history.penalty().item() == 0.0);  // the mean starts as the initial values
  const Tensor a0 = a.detach().clone(), b0 = b.detach().clone();
  {
    NoGradGuard no_grad;
    a.add_(ones_like(a), 1.0);  // a step moves a by 1 and b by 3
    b.add_(ones_like(b), 3.0);
  }
  // The mean of the past is the initial values: penalty 0.5 (6 * 1^2 + 4 * 3^2) = 21.
  CHECK(history.penalty().item() == doctest::Approx(21.0).epsilon(1e-12));
  history.update();  // past: the initial values and these; mean a0 + 0.5, b0 + 1.5
  CHECK(history.penalty().item() == doctest::Approx(0.5 * (6 * 0.25 + 4 * 2.25)).epsilon(1e-12));
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return history.penalty(); }, {a, b});

  optim::HistoricalAverage restored({a0.clone(), b0.clone()}, 0.5);
  restored.load_state_dict(history.state_dict());
  StateDict state = restored.state_dict();
  expect_close(state.at("average.0"), a0 + 0.5, 1e-12, 0);
  CHECK(state.at("steps").to_vector<int64_t>()[0] == 2);
  CHECK(contains(testing::error_message([&] { optim::HistoricalAverage({a}, 0.0); }), "must be positive"));
}

TEST_CASE("spectral_norm divides W by its largest singular value, found by power iteration") {
  // W = diag(3, 2) stacked over a zero row: singular values 3 and 2.
  Tensor w = tensor(std::vector<double>{3, 0, 0, 2, 0, 0}, {3, 2});
  Tensor u = tensor(std::vector<double>{0.6, 0.8, 0.0});
  for (int step = 0; step < 60; ++step) nn::spectral_norm(w, u, true);
  expect_close(nn::spectral_norm(w, u, false), w / 3.0, 1e-9, 0);
  expect_close(abs(u), tensor(std::vector<double>{1, 0, 0}), 1e-9, 0);  // W's first left singular vector
  // Without update_u (eval mode) u stays where it is.
  Tensor before = u.clone();
  nn::spectral_norm(w, u, false);
  CHECK(u.to_vector<double>() == before.to_vector<double>());
  Tensor short_u = before.narrow(0, 0, 2);
  CHECK(contains(testing::error_message([&] { nn::spectral_norm(w, short_u, false); }),
                 "spectral_norm: expects a weight [out, ...] and u [out], got [3,2] and [2]"));
}

TEST_CASE("spectral_norm and SpectralNorm(Conv2d), SpectralNorm(Linear) pass gradcheck in float64") {
  // u held fixed (eval mode): sigma = ||W^T u|| exactly, whose gradient is u v^T.
  Tensor w = testing::random_leaf({3, 2, 2, 2}, 21);
  Tensor u = testing::random_leaf({3}, 22).detach();
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return nn::spectral_norm(w, u, false); }, {w});

  Generator gen(23);
  nn::SpectralNorm conv(nn::Conv2d(nn::Conv2dOptions(2, 3, 3).stride(2).padding(F::Padding::same()), gen), gen);
  nn::SpectralNorm linear(nn::Linear(5, 4, gen), gen);
  for (nn::Module* layer : {static_cast<nn::Module*>(&conv), static_cast<nn::Module*>(&linear)}) {
    layer->to(kFloat64);
    layer->eval();
  }
  Tensor image = testing::random_leaf({2, 2, 5, 5}, 24), x = testing::random_leaf({3, 5}, 25);
  std::vector<Tensor> inputs = conv.parameters();
  inputs.push_back(image);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return conv(image); }, inputs);
  inputs = linear.parameters();
  inputs.push_back(x);
  testing::expect_gradients_match([&](const std::vector<Tensor>&) { return linear(x); }, inputs);

  // Training mode steps u on and leaves the layer's own weight (the parameter) untouched.
  linear.train();
  const std::vector<double> weight_before = linear.state_dict().at("layer.weight").to_vector<double>(),
                            u_before = linear.u.to_vector<double>();
  for (int step = 0; step < 200; ++step) linear(x);
  StateDict after = linear.state_dict();
  CHECK(after.at("layer.weight").to_vector<double>() == weight_before);
  CHECK(after.at("u").to_vector<double>() != u_before);
  // Converged: the weight the layer applies has largest singular value 1, so ||W_SN^T u|| = 1.
  Tensor applied = nn::spectral_norm(after.at("layer.weight"), after.at("u"), false);
  CHECK(std::sqrt(sum(square(matmul(after.at("u").unsqueeze(0), applied))).item()) == doctest::Approx(1.0).epsilon(1e-9));
}

TEST_CASE("the DCGAN with virtual batch norm and minibatch discrimination builds from the same code") {
  Generator gen(13);
  apps::DcganOptions options;
  options.virtual_batch_norm = 8;
  options.minibatch_kernels = 10;
  options.minibatch_kernel_dims = 3;
  options.spectral_norm = true;
  auto generator = apps::make_dcgan_generator(gen, options);
  auto discriminator = apps::make_dcgan_discriminator(gen, options);
  Tensor z = randn({3, apps::kLatentSize}, gen);
  Tensor images = (*generator)(z);
  CHECK(images.shape() == Shape{3, 1, 28, 28});
  CHECK((*discriminator)(images).shape() == Shape{3, 1});
  StateDict g = generator->state_dict(), d = discriminator->state_dict();
  CHECK(g.at("0.reference").shape() == Shape{8, apps::kLatentSize});
  CHECK(g.count("3.weight") == 1);      // VBN's gamma; VBN keeps no running statistics
  CHECK(g.count("3.running_mean") == 0);
  CHECK(d.at("9.weight").shape() == Shape{256 * 4 * 4, 30});  // T
  CHECK(d.at("10.layer.weight").shape() == Shape{1, 256 * 4 * 4 + 10});  // spectrally normalised
  CHECK(d.at("0.u").shape() == Shape{64});
  // A sample does not depend on the rest of its batch: one image drawn alone is the same.
  expect_close((*generator)(z.narrow(0, 1, 1)), images.narrow(0, 1, 1), 1e-5, 0);
  // Eval mode (sampling) computes the same as training mode: no running statistics.
  generator->eval();
  expect_close((*generator)(z), images, 1e-6, 0);

  // The options travel in a checkpoint's metadata and come back.
  const apps::DcganOptions back = apps::DcganOptions::from_metadata(options.metadata(), "test");
  CHECK(back.metadata() == options.metadata());
  CHECK(apps::DcganOptions::from_metadata({}, "old.safetensors").describe() == "the lecture's DCGAN");
  CHECK(contains(testing::error_message([] {
                   apps::DcganOptions::from_metadata({{"discriminator.minibatch_kernels", "many"}}, "x.safetensors");
                 }),
                 "x.safetensors: its metadata 'discriminator.minibatch_kernels' is 'many', not a count"));
  // Off, the models are the lecture's: batch norm right after the Linear and its reshape, D's Linear reads 4096.
  Generator plain(14);
  CHECK(apps::make_dcgan_generator(plain)->state_dict().at("0.weight").shape() == Shape{4 * 4 * 512, 100});
  CHECK(apps::make_dcgan_generator(plain)->state_dict().count("2.running_mean") == 1);
  CHECK(apps::make_dcgan_discriminator(plain)->state_dict().at("9.weight").shape() == Shape{1, 256 * 4 * 4});
}
