// Everything of gs::optim in one include.
#pragma once
#include "optim/adam.h"
#include "optim/historical_average.h"
#include "optim/optimizer.h"
#include "optim/polyak_average.h"
#include "optim/schedulers.h"
#include "optim/sgd.h"
