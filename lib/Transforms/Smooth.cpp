// Placeholder while the pass is written.
#include "qcomp/Transforms/Passes.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCSMOOTHPASS
#include "qcomp/Transforms/Passes.h.inc"
} // namespace mlir::qcomp

namespace {
struct Pass : mlir::qcomp::impl::QCSmoothPassBase<Pass> {
  using Base::Base;
  void runOnOperation() override {}
};
} // namespace
