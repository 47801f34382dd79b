// Placeholder while the pass is written.
#include "qcomp/Transforms/Passes.h"

namespace mlir::qcomp {
#define GEN_PASS_DEF_QCSPLITOUTLIERSPASS
#include "qcomp/Transforms/Passes.h.inc"
} // namespace mlir::qcomp

namespace {
struct Pass : mlir::qcomp::impl::QCSplitOutliersPassBase<Pass> {
  using Base::Base;
  void runOnOperation() override {}
};
} // namespace
