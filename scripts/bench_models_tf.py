"""TensorFlow's side of `make bench` (run by scripts/bench_io.py in the TensorFlow venv).

    save OUT MIB REPS [--trained STEPS]   build a model, time tf.saved_model.save, keep one as OUT
    load DIR REPS                         time tf.saved_model.load + .numpy() of every variable
    ckpt-run OUT CHECKPOINTS STEPS_EVERY  a checkpointed Adam run (tf.train.CheckpointManager)

`save` builds a tf.Module of 64 random-normal float32 variables of MIB MiB in all, or with
`--trained` an MLP (2048 -> 4096 -> 2048 -> 16, ~64 MiB of float32) trained STEPS Adam steps
on random data (50 batches of 32 rows, in turn), then saves it once as a warm-up and REPS times more, each into a fresh folder;
the last is renamed to OUT. `load` loads DIR once as a warm-up and REPS times more. Timings are
inside this process (TensorFlow's import is not counted) and printed as JSON with the median.
"""
import json
import os
import shutil
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

MLP_SHAPE = (2048, 4096, 2048, 16)


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


class RandomWeights(tf.Module):
    """64 float32 variables of random-normal values, `mib` MiB in all."""

    def __init__(self, mib):
        super().__init__()
        count = mib * (1 << 20) // 4 // 64
        columns = 256
        self.vars = [tf.Variable(tf.random.normal([count // columns, columns], seed=i), name="w%02d" % i)
                     for i in range(64)]


class MLP(tf.Module):
    """Dense ReLU layers with a serving function; `vars` are the weights only (no Adam slots)."""

    def __init__(self, shape=MLP_SHAPE):
        super().__init__()
        init = tf.keras.initializers.GlorotUniform(seed=1)
        self.vars = []
        for fan_in, fan_out in zip(shape[:-1], shape[1:]):
            self.vars += [tf.Variable(init((fan_in, fan_out))), tf.Variable(tf.zeros([fan_out]))]

    @tf.function(input_signature=[tf.TensorSpec([None, MLP_SHAPE[0]], tf.float32)])
    def __call__(self, x):
        h = x
        for i in range(0, len(self.vars) - 2, 2):
            h = tf.nn.relu(tf.matmul(h, self.vars[i]) + self.vars[i + 1])
        return tf.matmul(h, self.vars[-2]) + self.vars[-1]


class Adam:
    """TF1's Adam (ResourceApplyAdam), slots kept outside the model so a SavedModel holds weights only."""

    def __init__(self, model, lr=1e-4):
        self.model, self.lr = model, lr
        self.m = [tf.Variable(tf.zeros_like(v)) for v in model.vars]
        self.v = [tf.Variable(tf.zeros_like(v)) for v in model.vars]
        self.beta1_power, self.beta2_power = tf.Variable(0.9), tf.Variable(0.999)
        self.step = tf.Variable(0, dtype=tf.int64)
        # The founding example's shape of data: 50 batches of 32 random rows, random classes.
        rng = np.random.RandomState(1234)
        self.x = tf.constant(rng.standard_normal((50 * 32, MLP_SHAPE[0])).astype(np.float32))
        self.y = tf.constant(rng.randint(0, MLP_SHAPE[-1], size=50 * 32).astype(np.int32))

    @tf.function
    def train_step(self):
        first = (self.step % 50) * 32
        x, y = self.x[first:first + 32], self.y[first:first + 32]
        with tf.GradientTape() as tape:
            logits = self.model(x)
            loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(tf.one_hot(y, MLP_SHAPE[-1]), logits))
        grads = tape.gradient(loss, self.model.vars)
        for var, m, v, g in zip(self.model.vars, self.m, self.v, grads):
            tf.raw_ops.ResourceApplyAdam(var=var.handle, m=m.handle, v=v.handle, beta1_power=self.beta1_power,
                                         beta2_power=self.beta2_power, lr=self.lr, beta1=0.9, beta2=0.999,
                                         epsilon=1e-8, grad=g)
        self.beta1_power.assign(self.beta1_power * 0.9)
        self.beta2_power.assign(self.beta2_power * 0.999)
        self.step.assign_add(1)
        return loss


def save(out, mib, reps, trained_steps):
    start = time.perf_counter()
    if trained_steps is None:
        model = RandomWeights(mib)
        loss = None
    else:
        model = MLP()
        adam = Adam(model)
        for _ in range(trained_steps):
            loss = float(adam.train_step())
    build = time.perf_counter() - start
    times = []
    for i in range(reps + 1):
        folder = "%s.save%d" % (out, i)
        start = time.perf_counter()
        tf.saved_model.save(model, folder)
        times.append(time.perf_counter() - start)
        if i < reps:
            shutil.rmtree(folder)
    os.rename(folder, out)
    nbytes = sum(int(np.prod(v.shape)) * v.dtype.size for v in model.vars)
    return {"save": median(times[1:]), "runs": times, "variable_bytes": nbytes, "build": build, "loss": loss}


def load(folder, reps):
    times = []
    nbytes = 0
    for _ in range(reps + 1):
        start = time.perf_counter()
        model = tf.saved_model.load(folder)
        nbytes = 0
        for v in model.vars:
            nbytes += v.numpy().nbytes
        times.append(time.perf_counter() - start)
        del model
    return {"load": median(times[1:]), "runs": times, "variable_bytes": nbytes}


def vary(folder, out):
    """The SavedModel at `folder` saved again to `out` with its first variable changed (+1):
    the next checkpoint of a run where one tensor changed."""
    model = tf.saved_model.load(folder)
    first = model.vars[0]
    first.assign_add(tf.ones_like(first))
    tf.saved_model.save(model, out)
    return {"changed": first.name, "bytes": int(np.prod(first.shape)) * first.dtype.size}


def checkpoint_run(out, checkpoints, steps_every):
    model = MLP()
    adam = Adam(model)
    checkpoint = tf.train.Checkpoint(model=model, m=adam.m, v=adam.v, beta1_power=adam.beta1_power,
                                     beta2_power=adam.beta2_power, global_step=adam.step)
    manager = tf.train.CheckpointManager(checkpoint, out, max_to_keep=None, checkpoint_name="model.ckpt")
    train_seconds = save_seconds = 0.0
    losses = []
    for _ in range(checkpoints):
        start = time.perf_counter()
        for _ in range(steps_every):
            loss = adam.train_step()
        losses.append(float(loss))
        train_seconds += time.perf_counter() - start
        start = time.perf_counter()
        manager.save(checkpoint_number=int(adam.step.numpy()))
        save_seconds += time.perf_counter() - start
    return {"checkpoints": len(manager.checkpoints), "train": train_seconds, "save": save_seconds,
            "first_loss": losses[0], "last_loss": losses[-1]}


def main(argv):
    if argv[0] == "save":
        trained = int(argv[argv.index("--trained") + 1]) if "--trained" in argv else None
        result = save(argv[1], int(argv[2]), int(argv[3]), trained)
    elif argv[0] == "load":
        result = load(argv[1], int(argv[2]))
    elif argv[0] == "vary":
        result = vary(argv[1], argv[2])
    elif argv[0] == "ckpt-run":
        result = checkpoint_run(argv[1], int(argv[2]), int(argv[3]))
    else:
        sys.exit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
