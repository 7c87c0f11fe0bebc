// Env snapshot helpers and spec printing.
#include "rlnas/env/env.h"

#include <cmath>
#include <sstream>

namespace rlnas::env {

std::string Env::snapshot() const {
  ByteWriter out;
  out.str(name());
  save_state(out);
  return out.take();
}

void Env::restore(std::string_view snapshot) {
  ByteReader in(snapshot, "restoring " + name());
  in.expect_tag(name());
  load_state(in);
  in.expect_done();
}

std::string to_string(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kUInt8:
      return "uint8";
    case DType::kBool:
      return "bool";
  }
  return "?";
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

int64_t BoxSpec::numel() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

std::vector<float> BoxSpec::low_values() const {
  std::vector<float> out;
  for (int64_t i = 0; i < numel(); ++i) out.push_back(low_at(i));
  return out;
}

std::vector<float> BoxSpec::high_values() const {
  std::vector<float> out;
  for (int64_t i = 0; i < numel(); ++i) out.push_back(high_at(i));
  return out;
}

namespace {
std::string number(float v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace

std::string BoxSpec::to_string() const {
  std::string s = rlnas::env::to_string(dtype) + shape_to_string(shape);
  if (dtype == DType::kBool) return s + " in {0, 1}";
  if (low.size() <= 1 && high.size() <= 1) {
    return s + " in [" + (low.empty() ? "?" : number(low[0])) + ", " + (high.empty() ? "?" : number(high[0])) + "]";
  }
  s += " in ";
  for (size_t i = 0; i < low.size() && i < high.size(); ++i) {
    s += (i ? " x [" : "[") + number(low[i]) + ", " + number(high[i]) + "]";
  }
  return s;
}

ActionSpec ActionSpec::discrete(int64_t n) {
  ActionSpec spec;
  spec.kind = Kind::kDiscrete;
  spec.n = n;
  return spec;
}

ActionSpec ActionSpec::continuous(std::vector<int64_t> shape, std::vector<float> low, std::vector<float> high) {
  ActionSpec spec;
  spec.kind = Kind::kBox;
  spec.box = BoxSpec{std::move(shape), DType::kFloat32, std::move(low), std::move(high)};
  return spec;
}

std::string ActionSpec::to_string() const {
  if (is_discrete()) return "discrete(" + std::to_string(n) + ")";
  return "box " + box.to_string();
}

}  // namespace rlnas::env
