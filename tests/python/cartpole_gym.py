"""CartPole with the Gymnasium API in pure Python (no Gymnasium import), written for rlnas's tests:
the same dynamics, in double precision, as rlnas's C++ classic/cartpole (Gymnasium's CartPole-v1,
explicit Euler), so that the two produce the same observations step for step from the same state.

    rlnas train --env py:cartpole_gym:CartPole          (with this folder on PYTHONPATH)

`initial_state=[x, x_dot, theta, theta_dot]` starts every episode there instead of a uniform draw.
"""
import math

import numpy as np

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_CART + MASS_POLE
HALF_LENGTH = 0.5
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH
FORCE_MAG = 10.0
TAU = 0.02
X_THRESHOLD = 2.4
THETA_THRESHOLD = 12.0 * 2.0 * math.pi / 360.0


class Box:
    def __init__(self, low, high, shape, dtype):
        self.low, self.high, self.shape, self.dtype = low, high, shape, dtype


class Discrete:
    def __init__(self, n):
        self.n, self.shape, self.dtype, self.start = n, (), np.int64, 0


class CartPole:
    def __init__(self, initial_state=None):
        high = np.array([2 * X_THRESHOLD, np.inf, 2 * THETA_THRESHOLD, np.inf])
        self.observation_space = Box(-high, high, (4,), np.float64)
        self.action_space = Discrete(2)
        self.initial_state = None if initial_state is None else [float(v) for v in initial_state]
        self.rng = np.random.default_rng()
        self.state = [0.0, 0.0, 0.0, 0.0]
        self.terminal = False

    def reset(self, seed=None, options=None):
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        if self.initial_state is not None:
            self.state = list(self.initial_state)
        else:
            self.state = [float(v) for v in self.rng.uniform(-0.05, 0.05, size=4)]
        self.terminal = False
        return np.array(self.state, dtype=np.float64), {}

    def step(self, action):
        if action not in (0, 1):
            raise ValueError(f"action must be 0 or 1, got {action!r}")
        if self.terminal:
            return np.array(self.state, dtype=np.float64), 0.0, True, False, {}
        x, x_dot, theta, theta_dot = self.state
        force = FORCE_MAG if action == 1 else -FORCE_MAG
        cos_theta = math.cos(theta)
        sin_theta = math.sin(theta)
        temp = (force + POLE_MASS_LENGTH * theta_dot * theta_dot * sin_theta) / TOTAL_MASS
        theta_acc = (GRAVITY * sin_theta - cos_theta * temp) / (
            HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * cos_theta * cos_theta / TOTAL_MASS))
        x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos_theta / TOTAL_MASS
        x = x + TAU * x_dot
        x_dot = x_dot + TAU * x_acc
        theta = theta + TAU * theta_dot
        theta_dot = theta_dot + TAU * theta_acc
        self.state = [x, x_dot, theta, theta_dot]
        self.terminal = x < -X_THRESHOLD or x > X_THRESHOLD or theta < -THETA_THRESHOLD or theta > THETA_THRESHOLD
        return np.array(self.state, dtype=np.float64), 1.0, self.terminal, False, {}

    def close(self):
        pass
