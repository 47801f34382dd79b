//===- QuantizePipelineTest.cpp - qcomp-quantize-pipeline's options -------===//
//
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// qcomp-quantize-pipeline re-declares the options of the passes it runs
// (qc-quantize's under their own names, the others behind a prefix). These
// tests build the pipeline and read each pass's options back from its
// textual form: every option of every pass must be reachable from the
// pipeline under the expected name, with the same default, and a value
// given to the pipeline must arrive in the pass. A new pass option that the
// pipeline does not forward fails here.
//
//===----------------------------------------------------------------------===//

#include "qcomp/Pipelines/Pipelines.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cctype>
#include <map>
#include <string>

using namespace mlir;
using namespace mlir::qcomp;

namespace {

using OptionMap = std::map<std::string, std::string>;

/// The index after the `}` matching the `{` at `start`.
size_t skipBraces(llvm::StringRef text, size_t start) {
  unsigned depth = 0;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] == '{')
      ++depth;
    else if (text[i] == '}' && --depth == 0)
      return i + 1;
  }
  return text.size();
}

/// "a=1 b={x,y} c=" -> {a: 1, b: {x,y}, c: ""}.
OptionMap parseOptions(llvm::StringRef body) {
  OptionMap options;
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < body.size() && body[end] != ' ')
      end = body[end] == '{' ? skipBraces(body, end) : end + 1;
    auto [key, value] = body.slice(i, end).split('=');
    options[key.str()] = value.str();
    i = end;
  }
  return options;
}

/// The options of each pass in `pm`, by pass name, from its textual form
/// "builtin.module(func.func(qc-smooth{alpha=0.5 ...}),cse)".
std::map<std::string, OptionMap> getPassOptions(OpPassManager &pm) {
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  std::map<std::string, OptionMap> passes;
  llvm::StringRef rest(text);
  size_t i = 0;
  auto isNameChar = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_' || c == '.';
  };
  while (i < rest.size()) {
    if (!isNameChar(rest[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < rest.size() && isNameChar(rest[end]))
      ++end;
    llvm::StringRef name = rest.slice(i, end);
    if (end < rest.size() && rest[end] == '(') { // an op anchor
      i = end;
      continue;
    }
    OptionMap &options = passes[name.str()];
    if (end < rest.size() && rest[end] == '{') {
      size_t close = skipBraces(rest, end);
      options = parseOptions(rest.slice(end + 1, close - 1));
      end = close;
    }
    i = end;
  }
  return passes;
}

/// How a pass's options appear among the pipeline's.
struct Forwarding {
  std::string pass;
  std::string prefix;
  /// Pass option -> pipeline option, where the name is not prefix + name.
  OptionMap renamed;
  /// Pass options the pipeline sets itself, with their value.
  OptionMap fixed;
};

const std::vector<Forwarding> &getForwardings() {
  static const std::vector<Forwarding> forwardings = {
      {"qc-insert-observers",
       "",
       {{"ops", "observe"}},
       {{"inputs", "true"}, {"outputs", "true"}}},
      {"qc-attach-stats",
       "",
       {{"table", "calib"}},
       {{"allow-missing", "true"}}},
      {"qc-smooth", "smooth-", {{"alpha", "smooth"}}, {}},
      {"qc-split-outliers", "outlier-", {}, {}},
      {"qc-quantize", "", {}, {}},
      {"qc-propagate-scales", "", {}, {}},
  };
  return forwardings;
}

/// Builds the pipeline for `text` and checks that each pass holds the
/// pipeline's value of each of its options.
void checkForwarding(llvm::StringRef text) {
  SCOPED_TRACE(text.str());
  std::string errors;
  llvm::raw_string_ostream errorStream(errors);
  QuantizePipelineOptions options;
  ASSERT_TRUE(succeeded(options.parseFromString(text, errorStream))) << errors;
  std::string printed;
  llvm::raw_string_ostream os(printed);
  options.print(os);
  llvm::StringRef body = llvm::StringRef(printed).drop_front().drop_back();
  OptionMap pipeline = parseOptions(body);

  OpPassManager pm("builtin.module");
  buildQuantizePipeline(pm, options);
  std::map<std::string, OptionMap> passes = getPassOptions(pm);
  for (const Forwarding &forwarding : getForwardings()) {
    SCOPED_TRACE(forwarding.pass);
    auto pass = passes.find(forwarding.pass);
    ASSERT_NE(pass, passes.end()) << "the pipeline does not run the pass";
    for (const auto &[key, value] : pass->second) {
      if (auto fixed = forwarding.fixed.find(key);
          fixed != forwarding.fixed.end()) {
        EXPECT_EQ(value, fixed->second) << key;
        continue;
      }
      auto renamed = forwarding.renamed.find(key);
      std::string name = renamed != forwarding.renamed.end()
                             ? renamed->second
                             : forwarding.prefix + key;
      auto option = pipeline.find(name);
      ASSERT_NE(option, pipeline.end())
          << "option " << key << " is not the pipeline's " << name;
      EXPECT_EQ(option->second, value) << name;
    }
  }
}

TEST(QuantizePipelineTest, DefaultsAreThePasses) {
  // The three options that switch passes on, at the passes' defaults.
  checkForwarding("calib=table.json smooth=0.5 outlier-threshold=6");
}

TEST(QuantizePipelineTest, EveryOptionArrives) {
  checkForwarding(
      "calib=t.json observe=matmul,all smooth=auto smooth-min-scale=0.001 "
      "smooth-standalone=false outlier-threshold=3.5 outlier-top-k=2 "
      "outlier-max-fraction=0.5 outlier-mode=dynamic scheme=w4a8 "
      "weight-bits=4 weight-granularity=per-group group-size=32 "
      "weight-symmetric=false weight-range=mse activations=dynamic "
      "activation-granularity=per-row activation-symmetric=true "
      "range-method=percentile percentile=99.5 activation-products=false "
      "exclude=fc1,attn.* only=fc2 keep-first=1 keep-last=2 "
      "layer-bits=fc1=8,fc2=0 fixed-point=true");
}

TEST(QuantizePipelineTest, OptionalPasses) {
  OpPassManager pm("builtin.module");
  auto options = QuantizePipelineOptions::createFromString(
      "scheme=w8a8-dynamic propagate-scales=false");
  ASSERT_TRUE(options);
  buildQuantizePipeline(pm, *options);
  std::map<std::string, OptionMap> passes = getPassOptions(pm);
  EXPECT_TRUE(passes.count("qc-quantize"));
  EXPECT_TRUE(passes.count("cse"));
  for (llvm::StringRef absent :
       {"qc-insert-observers", "qc-attach-stats", "qc-smooth",
        "qc-split-outliers", "qc-propagate-scales"})
    EXPECT_FALSE(passes.count(absent.str())) << absent.str();
}

} // namespace
