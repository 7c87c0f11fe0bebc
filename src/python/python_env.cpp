// The Python bridge (include/rlnas/env/python.h): Gymnasium-API objects as rlnas environments.
//
// The interpreter is started once, on first use, without Python's signal handlers (rlnas handles
// SIGINT/SIGTERM itself), and never finalized (environments may be destroyed late). The GIL is
// released after start-up and held only while Python runs (py::gil_scoped_acquire in every call).
#include <pybind11/embed.h>
#include <pybind11/numpy.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>

#include "rlnas/core/error.h"
#include "rlnas/core/json_input.h"
#include "rlnas/env/plugin.h"
#include "rlnas/env/python.h"

namespace py = pybind11;
namespace fs = std::filesystem;

namespace rlnas::env {

bool python_bridge_built() { return true; }

namespace {

void ensure_interpreter() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (Py_IsInitialized()) return;  // a process that already runs Python (not rlnas's own)
    py::initialize_interpreter(/*init_signal_handlers=*/false);
    // The current directory first on sys.path, as `python -m` has it (PYTHONPATH is read at start-up).
    py::module_::import("sys").attr("path").attr("insert")(0, "");
    PyEval_SaveThread();  // the GIL is taken per call from now on
  });
}

// "ValueError: message": the last line of a Python traceback.
std::string last_line(const py::error_already_set& e) {
  std::string type = "exception";
  if (e.type()) type = py::str(e.type().attr("__name__")).cast<std::string>();
  const std::string value = e.value() ? py::str(e.value()).cast<std::string>() : "";
  return value.empty() ? type : type + ": " + value;
}

std::string type_name(const py::handle& obj) { return py::str(obj.get_type().attr("__name__")).cast<std::string>(); }

// "a tuple of 4 items", "a dict", "None".
std::string describe(const py::object& obj) {
  if (obj.is_none()) return "None";
  const std::string t = type_name(obj);
  if (py::isinstance<py::tuple>(obj) || py::isinstance<py::list>(obj)) {
    return "a " + t + " of " + std::to_string(py::len(obj)) + " items";
  }
  if (t == "ndarray") return "a numpy array of shape " + py::str(obj.attr("shape")).cast<std::string>();
  return std::string(std::strchr("aeiou", t.empty() ? 'x' : t[0]) ? "an " : "a ") + t;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

float to_float_bound(double v) {
  if (std::isnan(v)) return v;
  if (v > FLT_MAX) return INFINITY;
  if (v < -FLT_MAX) return -INFINITY;
  return static_cast<float>(v);
}

// A space read by duck typing: Discrete (n, start) or Box (shape, dtype, low, high).
struct Space {
  enum class Kind { kBox, kDiscrete } kind = Kind::kBox;
  std::vector<int64_t> shape;
  char dtype_kind = 'f';  // numpy's dtype.kind: f, u, i, b
  int64_t itemsize = 4;
  std::string dtype_name = "float32";
  std::vector<double> low, high;  // one per element
  int64_t n = 0, start = 0;
};

Space read_space(const py::object& space, const std::string& where) {
  const std::string cls = type_name(space);
  const auto unsupported = [&] {
    return Error(where + " is a " + cls +
                 " space; rlnas supports Box (shape, dtype, low, high) and Discrete (n) spaces");
  };
  auto np = py::module_::import("numpy");
  Space s;
  const bool has_shape = py::hasattr(space, "shape") && !space.attr("shape").is_none();
  if (py::hasattr(space, "n") && !py::hasattr(space, "low")) {
    if (has_shape && py::len(space.attr("shape")) != 0) throw unsupported();  // MultiBinary has n and a shape
    s.kind = Space::Kind::kDiscrete;
    s.n = py::int_(space.attr("n")).cast<int64_t>();
    if (py::hasattr(space, "start")) s.start = py::int_(space.attr("start")).cast<int64_t>();
    if (s.n < 1) throw Error(where + ": Discrete space with n = " + std::to_string(s.n) + "; expected n >= 1");
    // A policy holds one logit per action (and a Discrete observation is one-hot): a huge n would
    // pass a check and then fail to allocate in training.
    constexpr int64_t kMaxDiscrete = 1 << 20;
    if (s.n > kMaxDiscrete) {
      throw Error(where + ": Discrete space with n = " + std::to_string(s.n) +
                  "; rlnas supports n <= " + std::to_string(kMaxDiscrete));
    }
    return s;
  }
  if (!has_shape || !py::hasattr(space, "low") || !py::hasattr(space, "high")) throw unsupported();
  for (const auto d : space.attr("shape")) s.shape.push_back(d.cast<int64_t>());
  const py::dtype dtype = py::dtype::from_args(py::hasattr(space, "dtype") && !space.attr("dtype").is_none()
                                                   ? py::object(space.attr("dtype"))
                                                   : py::object(py::str("float32")));
  s.dtype_kind = dtype.kind();
  s.itemsize = static_cast<int64_t>(dtype.itemsize());
  s.dtype_name = py::str(dtype.attr("name")).cast<std::string>();
  if (!std::strchr("fuib", s.dtype_kind)) {
    throw Error(where + ": a Box of dtype " + s.dtype_name + "; expected a numeric dtype (float, int, uint, bool)");
  }
  for (const char* bound : {"low", "high"}) {
    using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
    py::object values;
    try {
      values = np.attr("broadcast_to")(np.attr("asarray")(space.attr(bound), py::arg("dtype") = "float64"),
                                       space.attr("shape"));
    } catch (const py::error_already_set& e) {
      throw Error(where + ": " + bound + " does not fit shape " + shape_text(s.shape) + " (" + last_line(e) + ")");
    }
    const Doubles a(values);
    std::vector<double>& out = std::string(bound) == "low" ? s.low : s.high;
    out.assign(a.data(), a.data() + a.size());
  }
  return s;
}

ObservationSpec observation_spec_of(const Space& s) {
  ObservationSpec spec;
  if (s.kind == Space::Kind::kDiscrete) {  // one-hot
    spec.shape = {s.n};
    spec.dtype = DType::kBool;
    spec.low = {0.0f};
    spec.high = {1.0f};
    return spec;
  }
  spec.shape = s.shape;
  if (s.dtype_kind == 'b') {
    spec.dtype = DType::kBool;
    spec.low = {0.0f};
    spec.high = {1.0f};
    return spec;
  }
  spec.dtype = s.dtype_kind == 'u' && s.itemsize == 1 ? DType::kUInt8 : DType::kFloat32;
  for (size_t i = 0; i < s.low.size(); ++i) {
    spec.low.push_back(to_float_bound(s.low[i]));
    spec.high.push_back(to_float_bound(s.high[i]));
  }
  // One shared bound when every element has the same (the common case), as the built-ins declare.
  const auto shared = [](std::vector<float>& v) {
    if (!v.empty() && std::all_of(v.begin(), v.end(), [&](float x) { return x == v[0] || (x != x && v[0] != v[0]); })) {
      v.resize(1);
    }
  };
  shared(spec.low);
  shared(spec.high);
  if (spec.low.empty()) {  // a shape with a zero dimension: the checker reports it
    spec.low = {0.0f};
    spec.high = {0.0f};
  }
  return spec;
}

// Option values as Python objects: JSON where they parse (numbers, booleans, lists, ...), else strings.
py::dict keyword_arguments(const EnvOptions& options) {
  auto json = py::module_::import("json");
  py::dict kwargs;
  for (const auto& [k, v] : options) {
    try {
      kwargs[py::str(k)] = json.attr("loads")(v);
    } catch (const py::error_already_set&) {
      kwargs[py::str(k)] = py::str(v);
    }
  }
  return kwargs;
}

// How a 3-D Box observation is laid out. rlnas's networks read images as (channels, height,
// width); Gymnasium's image environments (Atari, MinAtar, ...) give (height, width, channels).
enum class Layout { kAuto, kHwc, kChw };
constexpr std::string_view kLayoutKey = "obs_layout";

// Takes obs_layout out of the options (it is rlnas's, not the constructor's).
Layout take_layout(EnvOptions& options, const std::string& env) {
  const auto it = options.find(std::string(kLayoutKey));
  if (it == options.end()) return Layout::kAuto;
  const std::string v = it->second;
  options.erase(it);
  if (v == "auto") return Layout::kAuto;
  if (v == "hwc") return Layout::kHwc;
  if (v == "chw") return Layout::kChw;
  throw Error("env '" + env + "': option obs_layout: expected auto, hwc or chw, found '" + v + "'");
}

// (h, w, c) row-major -> (c, h, w) row-major.
void hwc_to_chw(const float* hwc, float* chw, int64_t h, int64_t w, int64_t c) {
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < c; ++k) chw[(k * h + y) * w + x] = hwc[(y * w + x) * c + k];
}

class PythonEnv final : public Env {
 public:
  // `make` returns the Python object (GIL held).
  PythonEnv(std::string name, py::object env, Layout layout = Layout::kAuto)
      : name_(std::move(name)), env_(std::move(env)) {
    for (const char* attr : {"reset", "step", "observation_space", "action_space"}) {
      if (!py::hasattr(env_, attr)) {
        throw Error(name_ + ": the object made (" + describe(env_) + ") has no '" + attr +
                    "'; the Gymnasium API needs reset(), step(), observation_space and action_space");
      }
    }
    obs_space_ = read_space(py::object(env_.attr("observation_space")), name_ + ": observation_space");
    act_space_ = read_space(py::object(env_.attr("action_space")), name_ + ": action_space");
    obs_spec_ = observation_spec_of(obs_space_);
    const bool image = obs_space_.kind == Space::Kind::kBox && obs_space_.shape.size() == 3;
    if (layout != Layout::kAuto && !image) {
      throw Error(name_ + ": obs_layout=" + (layout == Layout::kHwc ? "hwc" : "chw") +
                  " is for 3-D Box observations; observation_space is " +
                  (obs_space_.kind == Space::Kind::kBox ? "a Box of shape " + shape_text(obs_space_.shape)
                                                        : std::string("Discrete")));
    }
    if (image) {
      // auto: channels last where the last dimension is the smallest, as in (84, 84, 4) or (10, 10, 6).
      const auto& s = obs_space_.shape;
      channels_last_ = layout == Layout::kHwc || (layout == Layout::kAuto && s[2] < s[0] && s[2] < s[1]);
    }
    if (channels_last_) {
      const auto& s = obs_space_.shape;
      obs_spec_.shape = {s[2], s[0], s[1]};
      for (auto* bound : {&obs_spec_.low, &obs_spec_.high}) {
        if (bound->size() <= 1) continue;  // one shared bound
        std::vector<float> chw(bound->size());
        hwc_to_chw(bound->data(), chw.data(), s[0], s[1], s[2]);
        *bound = std::move(chw);
      }
      hwc_.assign(static_cast<size_t>(obs_spec_.numel()), 0.0f);
    }
    if (act_space_.kind == Space::Kind::kDiscrete) {
      action_spec_ = ActionSpec::discrete(act_space_.n);
    } else {
      if (act_space_.dtype_kind != 'f') {
        throw Error(name_ + ": action_space is a Box of dtype " + act_space_.dtype_name +
                    "; rlnas's continuous actions are float (an integer action set is a Discrete space)");
      }
      std::vector<float> low, high;
      for (size_t i = 0; i < act_space_.low.size(); ++i) {
        low.push_back(to_float_bound(act_space_.low[i]));
        high.push_back(to_float_bound(act_space_.high[i]));
      }
      action_spec_ = ActionSpec::continuous(act_space_.shape, low, high);
    }
    obs_.assign(static_cast<size_t>(obs_spec_.numel()), 0.0f);
  }

  ~PythonEnv() override {
    py::gil_scoped_acquire gil;
    try {
      if (py::hasattr(env_, "close")) env_.attr("close")();
    } catch (const py::error_already_set&) {  // closing is best effort
    }
    env_ = py::object();
  }

  const ObservationSpec& observation_spec() const override { return obs_spec_; }
  const ActionSpec& action_spec() const override { return action_spec_; }
  std::string name() const override { return name_; }

  // Gymnasium seeds through reset: the next reset() passes it, later ones pass None.
  void seed(uint32_t seed) override { pending_seed_ = seed; }

  void reset() override {
    py::gil_scoped_acquire gil;
    py::object result;
    try {
      py::object seed = pending_seed_ ? py::object(py::int_(*pending_seed_)) : py::object(py::none());
      result = env_.attr("reset")(py::arg("seed") = seed, py::arg("options") = py::none());
    } catch (const py::error_already_set& e) {
      throw Error(name_ + ": reset() raised " + last_line(e));
    }
    pending_seed_.reset();
    if (!(py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result)) || py::len(result) != 2) {
      throw Error(name_ + ": reset() returned " + describe(result) + "; the Gymnasium API returns (observation, info)");
    }
    read_observation(py::object(result[py::int_(0)]), "reset()");
  }

  StepResult step(const Action& action) override {
    const std::string where = "step " + std::to_string(++steps_);
    py::gil_scoped_acquire gil;
    py::object a;
    if (act_space_.kind == Space::Kind::kDiscrete) {
      if (action.index < 0 || action.index >= act_space_.n) {
        throw Error(name_ + ": " + where + ": action " + std::to_string(action.index) + " is outside 0.." +
                    std::to_string(act_space_.n - 1));
      }
      a = py::int_(action.index + act_space_.start);
    } else {
      const auto n = static_cast<size_t>(action_spec_.dim());
      if (action.values.size() != n) {
        throw Error(name_ + ": " + where + ": a continuous action of " + std::to_string(action.values.size()) +
                    " values; action_space has " + std::to_string(n));
      }
      py::array_t<float> values(act_space_.shape);
      std::memcpy(values.mutable_data(), action.values.data(), n * sizeof(float));
      if (act_space_.dtype_kind == 'f' && act_space_.itemsize == 8) {
        a = values.attr("astype")("float64");
      } else {
        a = std::move(values);
      }
    }
    py::object result;
    try {
      result = env_.attr("step")(a);
    } catch (const py::error_already_set& e) {
      throw Error(name_ + ": " + where + ": step() raised " + last_line(e));
    }
    if (!(py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result)) || py::len(result) != 5) {
      const bool old_gym =
          (py::isinstance<py::tuple>(result) || py::isinstance<py::list>(result)) && py::len(result) == 4;
      throw Error(name_ + ": " + where + ": step() returned " + describe(result) +
                  "; the Gymnasium API returns (observation, reward, terminated, truncated, info)" +
                  (old_gym ? " (4 items is the old Gym API's (observation, reward, done, info))" : ""));
    }
    read_observation(py::object(result[py::int_(0)]), where);
    StepResult r;
    try {
      r.reward = static_cast<float>(result[py::int_(1)].cast<double>());
      r.terminated = result[py::int_(2)].cast<bool>();
      r.truncated = result[py::int_(3)].cast<bool>();
    } catch (const py::cast_error&) {
      throw Error(name_ + ": " + where + ": step() returned reward " + describe(py::object(result[py::int_(1)])) +
                  ", terminated " + describe(py::object(result[py::int_(2)])) + ", truncated " +
                  describe(py::object(result[py::int_(3)])) + "; expected a number and two booleans");
    }
    if (!std::isfinite(r.reward)) {
      throw Error(name_ + ": " + where + ": step() returned reward " +
                  excerpt(py::str(result[py::int_(1)]).cast<std::string>(), 40) + "; expected a finite number");
    }
    return r;
  }

  void write_observation(float* out) const override { std::memcpy(out, obs_.data(), obs_.size() * sizeof(float)); }

  // Snapshots through pickle, where the environment supports it.
  bool supports_snapshots() const override {
    if (!picklable_) {
      py::gil_scoped_acquire gil;
      try {
        py::module_::import("pickle").attr("dumps")(env_);
        picklable_ = true;
      } catch (const py::error_already_set&) {
        picklable_ = false;
      }
    }
    return *picklable_;
  }

  void save_state(ByteWriter& out) const override {
    py::gil_scoped_acquire gil;
    std::string bytes;
    try {
      bytes = py::module_::import("pickle").attr("dumps")(env_).cast<std::string>();
    } catch (const py::error_already_set& e) {
      throw Error(name_ + ": cannot snapshot the environment: pickle.dumps raised " + last_line(e));
    }
    out.str(bytes);
    out.pod(pending_seed_.has_value());
    out.pod(pending_seed_.value_or(0));
    out.pod(steps_);
    out.str(std::string_view(reinterpret_cast<const char*>(obs_.data()), obs_.size() * sizeof(float)));
  }

  void load_state(ByteReader& in) override {
    const std::string bytes = in.str();
    const bool has_seed = in.pod<bool>();
    const auto seed = in.pod<uint32_t>();
    steps_ = in.pod<int64_t>();
    const std::string obs = in.str();
    if (obs.size() != obs_.size() * sizeof(float)) {
      throw Error("restoring " + name_ + ": the snapshot's observation has " + std::to_string(obs.size() / 4) +
                  " values, this environment's " + std::to_string(obs_.size()));
    }
    py::gil_scoped_acquire gil;
    try {
      env_ = py::module_::import("pickle").attr("loads")(py::bytes(bytes));
    } catch (const py::error_already_set& e) {
      throw Error("restoring " + name_ + ": pickle.loads raised " + last_line(e));
    }
    pending_seed_ = has_seed ? std::optional<uint32_t>(seed) : std::nullopt;
    std::memcpy(obs_.data(), obs.data(), obs.size());
  }

 private:
  // Checks an observation against observation_space and converts it to float32 into obs_, reading
  // a C-contiguous numpy array's buffer directly (no intermediate copy); a channels-last image is
  // converted into hwc_ and then transposed into obs_.
  void read_observation(const py::object& obs, const std::string& where) {
    const std::string what = name_ + ": the observation after " + where;
    if (obs_space_.kind == Space::Kind::kDiscrete) {
      int64_t v = 0;
      try {
        v = obs.cast<int64_t>();
      } catch (const py::cast_error&) {
        throw Error(what + " is " + describe(obs) + "; observation_space is Discrete(" + std::to_string(obs_space_.n) +
                    "): expected an integer");
      }
      if (v < obs_space_.start || v >= obs_space_.start + obs_space_.n) {
        throw Error(what + " is " + std::to_string(v) + ", outside observation_space Discrete(" +
                    std::to_string(obs_space_.n) + ")");
      }
      std::fill(obs_.begin(), obs_.end(), 0.0f);
      obs_[static_cast<size_t>(v - obs_space_.start)] = 1.0f;
      return;
    }
    py::array a = py::array::ensure(obs);
    if (!a) {
      PyErr_Clear();
      throw Error(what + " is " + describe(obs) + "; expected an array of shape " + shape_text(obs_space_.shape));
    }
    std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
    if (shape != obs_space_.shape) {
      throw Error(what + " has shape " + shape_text(shape) + "; observation_space.shape is " +
                  shape_text(obs_space_.shape));
    }
    const char kind = a.dtype().kind();
    const bool integral_space = obs_space_.dtype_kind != 'f';
    const bool fits = kind == 'b' || ((kind == 'u' || kind == 'i') && obs_space_.dtype_kind != 'b') ||
                      (kind == 'f' && !integral_space);
    if (!fits) {
      throw Error(what + " has dtype " + py::str(a.dtype().attr("name")).cast<std::string>() +
                  "; observation_space.dtype is " + obs_space_.dtype_name);
    }
    if (!(a.flags() & py::array::c_style)) a = py::array(py::module_::import("numpy").attr("ascontiguousarray")(a));
    const auto n = static_cast<size_t>(a.size());
    const size_t itemsize = static_cast<size_t>(a.itemsize());
    const void* data = a.data();
    float* out = channels_last_ ? hwc_.data() : obs_.data();
    if (kind == 'f' && itemsize == 4) {
      std::memcpy(out, data, n * sizeof(float));
    } else if (kind == 'f' && itemsize == 8) {
      const auto* p = static_cast<const double*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
    } else if ((kind == 'u' || kind == 'b') && itemsize == 1) {
      const auto* p = static_cast<const uint8_t*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
    } else if (kind == 'i' && itemsize == 8) {
      const auto* p = static_cast<const int64_t*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
    } else if (kind == 'i' && itemsize == 4) {
      const auto* p = static_cast<const int32_t*>(data);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(p[i]);
    } else {  // other widths: numpy converts
      const py::array_t<float, py::array::c_style | py::array::forcecast> f(a);
      std::memcpy(out, f.data(), n * sizeof(float));
    }
    if (kind == 'f') {  // a network fed NaN fails far from the cause: say where it came from
      for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(out[i])) {
          throw Error(what + " holds " + std::to_string(out[i]) + " at flat index " + std::to_string(i) +
                      "; expected finite values");
        }
      }
    }
    if (channels_last_) {
      const auto& s = obs_space_.shape;
      hwc_to_chw(hwc_.data(), obs_.data(), s[0], s[1], s[2]);
    }
  }

  std::string name_;
  py::object env_;
  Space obs_space_, act_space_;
  ObservationSpec obs_spec_;
  ActionSpec action_spec_;
  std::vector<float> obs_;      // as rlnas sees it (channels first)
  bool channels_last_ = false;  // observations arrive (h, w, c): transposed through hwc_
  std::vector<float> hwc_;
  std::optional<uint32_t> pending_seed_;
  int64_t steps_ = 0;
  mutable std::optional<bool> picklable_;
};

// "MODULE:CALLABLE" -> the module and the callable (attributes may be dotted: Class.factory).
std::pair<std::string, std::string> split_target(const std::string& rest) {
  const auto colon = rest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == rest.size()) {
    throw Error("env 'py:" + rest +
                "': expected py:MODULE:CALLABLE (a Python module on PYTHONPATH or in the "
                "current directory, and a callable in it that returns the environment)");
  }
  return {rest.substr(0, colon), rest.substr(colon + 1)};
}

py::module_ import_module(const std::string& env, const std::string& module) {
  try {
    return py::module_::import(module.c_str());
  } catch (const py::error_already_set& e) {
    const char* path = std::getenv("PYTHONPATH");
    throw Error("env '" + env + "': cannot import module '" + module + "' (" + last_line(e) +
                "); Python looks in the current directory and PYTHONPATH ('" + (path ? path : "") + "')");
  }
}

// The file a module was loaded from, with its hash; a module without one (built in) has none.
EnvSource source_of(const py::object& module) {
  if (!py::hasattr(module, "__file__") || module.attr("__file__").is_none()) {
    return {py::str(module.attr("__name__")).cast<std::string>(), ""};
  }
  const auto file = fs::weakly_canonical(py::str(module.attr("__file__")).cast<std::string>()).string();
  return {file, file_sha256(file)};
}

std::unique_ptr<Env> make_py(const std::string& rest, const EnvOptions& given) {
  const std::string name = "py:" + rest;
  EnvOptions options = given;
  const Layout layout = take_layout(options, name);
  const auto [module_name, callable] = split_target(rest);
  ensure_interpreter();
  py::gil_scoped_acquire gil;
  py::object target = import_module(name, module_name);
  std::string path = module_name;
  size_t start = 0;
  while (start <= callable.size()) {
    const size_t dot = std::min(callable.find('.', start), callable.size());
    const std::string attr = callable.substr(start, dot - start);
    if (!py::hasattr(target, attr.c_str())) {
      throw Error("env '" + name + "': '" + path + "' has no attribute '" + attr + "'");
    }
    target = target.attr(attr.c_str());
    path += "." + attr;
    start = dot + 1;
  }
  if (!PyCallable_Check(target.ptr())) throw Error("env '" + name + "': " + path + " is not callable");
  py::object env;
  try {
    env = target(**keyword_arguments(options));
  } catch (const py::error_already_set& e) {
    throw Error("env '" + name + "': " + path + "(" + (options.empty() ? "" : "**options") + ") raised " +
                last_line(e));
  }
  return std::make_unique<PythonEnv>(name, std::move(env), layout);
}

EnvSource source_py(const std::string& rest) {
  const auto [module_name, callable] = split_target(rest);
  ensure_interpreter();
  py::gil_scoped_acquire gil;
  return source_of(import_module("py:" + rest, module_name));
}

py::module_ import_gymnasium(const std::string& id) {
  try {
    return py::module_::import("gymnasium");
  } catch (const py::error_already_set& e) {
    const auto sys = py::module_::import("sys");
    throw Error("env 'gym:" + id + "': Gymnasium is not importable (" + last_line(e) +
                "); install it for the Python rlnas embeds (" +
                py::str(sys.attr("version")).cast<std::string>().substr(0, 6) +
                ", PYTHONPATH honoured), or use py:MODULE:CALLABLE with your own constructor");
  }
}

std::unique_ptr<Env> make_gym(const std::string& id, const EnvOptions& given) {
  EnvOptions options = given;
  const Layout layout = take_layout(options, "gym:" + id);
  ensure_interpreter();
  py::gil_scoped_acquire gil;
  auto gymnasium = import_gymnasium(id);
  py::object env;
  try {
    env = gymnasium.attr("make")(py::str(id), **keyword_arguments(options));
  } catch (const py::error_already_set& e) {
    throw Error("env 'gym:" + id + "': gymnasium.make raised " + last_line(e));
  }
  return std::make_unique<PythonEnv>("gym:" + id, std::move(env), layout);
}

// A gym:ID environment is defined by the module of its class (gymnasium.make's result, unwrapped).
EnvSource source_gym(const std::string& id) {
  ensure_interpreter();
  py::gil_scoped_acquire gil;
  auto gymnasium = import_gymnasium(id);
  try {
    py::object env = gymnasium.attr("make")(py::str(id));
    py::object inner = py::hasattr(env, "unwrapped") ? py::object(env.attr("unwrapped")) : env;
    py::object module = py::module_::import("sys").attr("modules")[inner.get_type().attr("__module__")];
    if (py::hasattr(env, "close")) env.attr("close")();
    return source_of(module);
  } catch (const py::error_already_set& e) {
    throw Error("env 'gym:" + id + "': gymnasium.make raised " + last_line(e));
  }
}

}  // namespace

void register_python_envs(EnvRegistry& registry) {
  const std::vector<EnvOption> options = {
      {std::string(kLayoutKey), "auto",
       "a 3-D Box observation's layout: hwc (transposed to rlnas's chw), chw, or auto (hwc where its last "
       "dimension is the smallest)"}};
  registry.add_family({.prefix = "py",
                       .usage = "py:MODULE:CALLABLE",
                       .description = "a Python environment with the Gymnasium API: MODULE.CALLABLE(**env options)",
                       .options = options,
                       .make = make_py,
                       .source = source_py});
  registry.add_family({.prefix = "gym",
                       .usage = "gym:ID",
                       .description = "gymnasium.make(ID, **env options), where Gymnasium is importable",
                       .options = options,
                       .make = make_gym,
                       .source = source_gym});
}

}  // namespace rlnas::env
