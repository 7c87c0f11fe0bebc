"""Python environments for rlnas's bridge tests: one that records how it is reset (RESETS), one
that does nothing (the overhead benchmark), an image one (Image: observation layouts), and broken
ones for the checker (make(fault=...))."""
import numpy as np

from cartpole_gym import Box, Discrete

RESETS = []  # (tag, seed) of every reset() of a SeedProbe


class SeedProbe:
    def __init__(self, tag=0, length=3):
        self.tag, self.length, self.t = tag, length, 0
        self.observation_space = Box(np.zeros(2), np.full(2, 100.0), (2,), np.float32)
        self.action_space = Discrete(2)

    def reset(self, seed=None, options=None):
        RESETS.append((self.tag, seed))
        self.t = 0
        return np.array([self.tag, self.t], dtype=np.float32), {}

    def step(self, action):
        self.t += 1
        return np.array([self.tag, self.t], dtype=np.float32), float(action), self.t >= self.length, False, {}


class NoOp:
    """Does nothing, as fast as Python can: the bridge's overhead is measured against its step()."""

    def __init__(self):
        self.observation_space = Box(np.full(4, -1.0, dtype=np.float32), np.full(4, 1.0, dtype=np.float32), (4,),
                                     np.float32)
        self.action_space = Discrete(2)
        self.obs = np.zeros(4, dtype=np.float32)
        self.result = (self.obs, 0.0, False, False, {})

    def reset(self, seed=None, options=None):
        return self.obs, {}

    def step(self, action):
        return self.result


class Image:
    """uint8 images of shape (h, w, c), or (c, h, w) with channels_first: element (y, x, k) holds
    20 y + 4 x + k + t (t the step), and its upper bound is that value at the last step, so that a
    bound read in the wrong order fails the checker."""

    def __init__(self, h=5, w=4, c=2, channels_first=False, length=6):
        self.h, self.w, self.c, self.length, self.t = h, w, c, length, 0
        self.channels_first = channels_first
        y, x, k = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
        self.base = (20 * y + 4 * x + k).astype(np.uint8)  # (h, w, c)
        high = self.layout(self.base + length)
        self.observation_space = Box(np.zeros_like(high), high, high.shape, np.uint8)
        self.action_space = Discrete(2)

    def layout(self, hwc):
        return np.ascontiguousarray(hwc.transpose(2, 0, 1)) if self.channels_first else hwc

    def obs(self):
        return self.layout(self.base + self.t)

    def reset(self, seed=None, options=None):
        self.t = 0
        return self.obs(), {}

    def step(self, action):
        self.t += 1
        return self.obs(), 0.0, self.t >= self.length, False, {}


class MultiDiscrete:
    def __init__(self, nvec):
        self.nvec, self.shape, self.dtype = nvec, (len(nvec),), np.int64


class Broken:
    def __init__(self, fault):
        self.fault, self.t = fault, 0
        dtype = np.uint8 if fault == "dtype" else np.float32
        self.observation_space = Box(np.zeros(4), np.ones(4), (4,), dtype)
        self.action_space = (MultiDiscrete([2, 3]) if fault == "space" else
                             Discrete(10**12) if fault == "huge_discrete" else Discrete(2))
        self.keep = (lambda: None) if fault == "unpicklable" else None

    def obs(self):
        if self.fault == "shape":
            return np.zeros(3, dtype=np.float32)
        if self.fault == "dtype":
            return np.full(4, 0.5)
        if self.fault == "outside":
            return np.full(4, 5.0, dtype=np.float32)
        return np.zeros(4, dtype=np.float32)

    def reset(self, seed=None, options=None):
        self.t = 0
        if self.fault == "reset_tuple":
            return self.obs()
        return self.obs(), {}

    def step(self, action):
        self.t += 1
        if self.fault == "raises" and self.t == 3:
            raise ValueError("the environment's own error")
        if self.fault == "step_tuple":
            return self.obs(), 1.0, self.t >= 10, {}
        self.total = getattr(self, "total", 0) + 1  # steps over all episodes
        if self.fault == "hang" and self.total == 50:
            import time
            time.sleep(3600)  # a step() that never returns (search.trial_timeout)
        if self.fault == "nan_reward" and self.t == 5:
            return self.obs(), float("nan"), False, False, {}
        if self.fault == "inf_obs" and self.t == 7:
            return np.array([0, np.inf, 0, 0], dtype=np.float32), 1.0, False, False, {}
        return self.obs(), 1.0, self.t >= 10, False, {}


def make(fault="none"):
    return Broken(fault)
