"""A stand-in for Gymnasium in rlnas's tests (Gymnasium is not packaged for Debian 12): make(ID)
knows CartPole-v1 (the tests' pure-Python CartPole) and nothing else."""
import cartpole_gym

__version__ = "0.0-rlnas-test-stub"


def make(id, **kwargs):
    if id == "CartPole-v1":
        return cartpole_gym.CartPole(**kwargs)
    raise LookupError(f"Environment {id} doesn't exist (rlnas's test stub knows CartPole-v1)")
