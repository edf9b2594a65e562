"""The trained DCGAN's samples: the handed-in weights loaded into the student's
build_dc_generator() and sampled from fixed noise. The samples are scored elsewhere
(autograder/trained.py), in a process where no student code runs."""
import base64

import numpy as np

from autograder.course import TRAINED_SAMPLES, TRAINED_SEED
from autograder.produce.student import StudentError, attempt, model_of, student_error
from autograder.trained import TrainedFileError, misfit, read_state_dict


def load_trained(gan, weights):
    """The student's build_dc_generator() with the trained weights loaded (`weights`: the
    file's path, or its bytes), or StudentError with one sentence on what is wrong with the
    file (read_state_dict's, or that it does not fit)."""
    try:
        name, state = read_state_dict(weights)
    except TrainedFileError as err:
        raise StudentError(str(err)) from None
    model = model_of(gan, "build_dc_generator", ())
    try:
        model.load_state_dict(state)
    except Exception as err:
        raise StudentError(f"{name} does not fit your build_dc_generator(): {misfit(model.state_dict(), state, err)}"
                           ) from None
    return model


def produce_trained(gan, device, weights, noise):
    """Samples of the student's trained DCGAN generator, as the notebook scores it (training
    mode, uniform noise), from fixed noise: base64 of float32 (n, 784) images in [0, 1]. The
    grader scores them in a process of its own (score_samples), never in this one."""
    def samples():
        import quality

        model = load_trained(gan, weights).to(device).train()
        try:
            images = quality.generate(model, TRAINED_SAMPLES, noise, batch_size=250, seed=TRAINED_SEED)
        except Exception as err:
            raise StudentError(f"{student_error(err, 'build_dc_generator')}; the grader fed your trained generator "
                               f"noise of shape (250, {noise})") from None
        images = np.ascontiguousarray(images, dtype="<f4")
        return {"images": base64.b64encode(images.tobytes()).decode(), "n": len(images)}

    return {"samples": attempt(samples, "build_dc_generator")}
