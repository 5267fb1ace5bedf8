// Everything of gs::nn in one include: the functional ops, modules, layers,
// initialisers, weight normalisation, the GAN layers (minibatch
// discrimination, virtual batch norm, spectral norm) and checkpoints.
#pragma once
#include "nn/activation_layers.h"
#include "nn/batch_norm_layer.h"
#include "nn/checkpoint.h"
#include "nn/conv_layers.h"
#include "nn/functional.h"
#include "nn/init.h"
#include "nn/linear_layer.h"
#include "nn/minibatch_discrimination.h"
#include "nn/module.h"
#include "nn/noise_layers.h"
#include "nn/sequential.h"
#include "nn/shape_layers.h"
#include "nn/spectral_norm.h"
#include "nn/state_dict.h"
#include "nn/virtual_batch_norm.h"
#include "nn/weight_norm.h"
