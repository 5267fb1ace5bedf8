// Everything of the tensor engine and reverse-mode autograd in one include.
#pragma once
#include "autograd/gradcheck.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "tensor/backend.h"
#include "tensor/generator.h"
#include "tensor/npy.h"
#include "tensor/parallel.h"
#include "tensor/tensor.h"
