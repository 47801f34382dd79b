//===- qcomp.cpp - The qcomp compiler driver --------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `qcomp <command> ...`: the user-facing driver. Each command is a thin
// sequence of library calls, in its own <Command>Command.cpp:
//
//   qcomp import model.onnx -o model.mlir [--input-shape x=1x128]
//   qcomp run model.{onnx,mlir} --input x=x.npy ... [--output-dir D]
//   qcomp calibrate model.{onnx,mlir} --data DIR [--calib-out table.json]
//   qcomp quantize model.{onnx,mlir} --data DIR [--scheme S] -o out.mlir
//   qcomp compare float.mlir quant.mlir --data DIR [--per-layer]
//   qcomp sensitivity model.{onnx,mlir} --data DIR [--target-sqnr X]
//
// Diagnostics name the file and, for ONNX models, the node.
//
//===----------------------------------------------------------------------===//

#include "DriverUtils.h"

#include "qcomp/Execution/PassManagerHook.h"
#include "qcomp/InitAllDialects.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
using namespace mlir::qcomp;
namespace cl = llvm::cl;

// Debugging, for every command: what the library's pass managers do.
static cl::opt<bool> printIRBeforeAll(
    "print-ir-before-all",
    cl::desc("Print the IR before every pass of every pipeline (stderr)"),
    cl::init(false), cl::sub(cl::SubCommand::getAll()),
    cl::cat(getDriverCategory()));
static cl::opt<bool> printIRAfterAll(
    "print-ir-after-all",
    cl::desc("Print the IR after every pass of every pipeline (stderr)"),
    cl::init(false), cl::sub(cl::SubCommand::getAll()),
    cl::cat(getDriverCategory()));
static cl::list<std::string> printIRAfter(
    "print-ir-after",
    cl::desc("Print the IR after the passes with these arguments, e.g. "
             "qc-quantize,qc-lower-int-matmul-to-cpu (stderr)"),
    cl::value_desc("pass,..."), cl::CommaSeparated,
    cl::sub(cl::SubCommand::getAll()), cl::cat(getDriverCategory()));
static cl::opt<bool> dumpPassPipeline(
    "dump-pass-pipeline",
    cl::desc("Print each pipeline the command runs, as a textual pass "
             "pipeline (stderr)"),
    cl::init(false), cl::sub(cl::SubCommand::getAll()),
    cl::cat(getDriverCategory()));

/// Installs the debugging options on every pass manager the commands run.
static void installPassManagerHook() {
  if (!printIRBeforeAll && !printIRAfterAll && printIRAfter.empty() &&
      !dumpPassPipeline)
    return;
  setPassManagerHook([](PassManager &pm) {
    if (dumpPassPipeline) {
      pm.printAsTextualPipeline(llvm::errs());
      llvm::errs() << "\n";
    }
    auto after = [](Pass *pass, Operation *) {
      return printIRAfterAll ||
             llvm::is_contained(printIRAfter, pass->getArgument());
    };
    auto before = [](Pass *, Operation *) { return (bool)printIRBeforeAll; };
    if (printIRBeforeAll || printIRAfterAll || !printIRAfter.empty())
      pm.enableIRPrinting(before, after, /*printModuleScope=*/false,
                          /*printAfterOnlyOnChange=*/false,
                          /*printAfterOnlyOnFailure=*/false, llvm::errs());
    return success();
  });
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  const DriverCommand commands[] = {
      getImportCommand(),   getRunCommand(),     getCalibrateCommand(),
      getQuantizeCommand(), getCompareCommand(), getSensitivityCommand(),
      getCompileCommand(),  getBenchCommand(),   getMainCommand()};
  // `qcomp MODEL ...` (no command, a model first) is `qcomp build MODEL`.
  llvm::SmallVector<char *> args(argv, argv + argc);
  std::string build = "build";
  if (argc > 1 && argv[1][0] != '-' &&
      llvm::none_of(commands, [&](const DriverCommand &command) {
        return command.subCommand.getName() == argv[1];
      }))
    args.insert(args.begin() + 1, build.data());
  cl::HideUnrelatedOptions(getDriverCategory());
  cl::ParseCommandLineOptions(
      args.size(), args.data(),
      "qcomp: an MLIR-based quantization compiler\n\n"
      "  qcomp model.onnx --calib samples/ [--scheme w8a8] [--smooth] "
      "[--split-outliers]\n"
      "        [--eval samples/] [--mtriple T --mcpu C --mattr F] "
      "-o model.{o,so,s,ll,mlir}\n"
      "      import, calibrate, quantize, measure and compile in one "
      "command (qcomp build)\n\n"
      "  qcomp import model.onnx -o model.mlir\n"
      "  qcomp run model.onnx --input x=x.npy --output-dir out/\n"
      "  qcomp calibrate model.onnx --data samples/ --calib-out table.json\n"
      "  qcomp quantize model.onnx --data samples/ --scheme w8a8 -o q.mlir\n"
      "  qcomp compare model.onnx q.mlir --data samples/ --min-sqnr 30\n"
      "  qcomp sensitivity model.onnx --data samples/ --target-sqnr 35\n"
      "  qcomp compile q.mlir [--mtriple aarch64-linux-gnu --mattr +dotprod] "
      "-o q.o\n"
      "  qcomp bench model.onnx q.mlir\n");

  installPassManagerHook();

  DialectRegistry registry;
  qcomp::registerAllDialects(registry);
  MLIRContext context(registry);
  // Diagnostics name the op by its location (an ONNX node); printing the
  // op itself would dump its constants and statistics.
  context.printOpOnDiagnostic(false);
  DiagnosticPrinter printer(context);

  for (const DriverCommand &command : commands)
    if (command.subCommand)
      return command.run(context);
  return reportError("no command given; see qcomp --help");
}
