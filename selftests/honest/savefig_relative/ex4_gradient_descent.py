from ._ref_ex4_gradient_descent import *  # noqa: F401,F403
from . import _ref_ex4_gradient_descent as _ref


def plot_trajectories(grad, x0s, learning_rate, n_steps, **options):
    fig = _ref.plot_trajectories(grad, x0s, learning_rate, n_steps, **options)
    fig.savefig("trajectories.png")  # a copy to look at later, in the current directory
    return fig
