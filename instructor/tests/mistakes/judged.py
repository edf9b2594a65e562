"""The verdicts on each set's first messages, given by reading each message beside the case's
cause: "names the cause" (it says where the file differs and of what kind, in words a student
acts on), "vague" (true, but it does not say where or what), "false" (it says something
untrue of the file). EXPECT holds, for each message judged to name its cause, the words that
name it: the slow test (test_mistakes.py) holds the messages to them, so that a change that
loses the cause fails there.

Judged on the messages as they stand; the table beside (table-cases.md, table-heldout.md, written
by `python -m instructor.tests.mistakes.run`) shows each message with its verdict."""

NAMES = ("names the cause", "")

EXPECT = {
    "instructor.tests.mistakes.cases": {
        "noise_rand_no_rescale": ["got min 0.0000", "rescale it to [-1, 1)"],
        "noise_gaussian_randn": ["pile up in the middle, bell-shaped"],
        "noise_normal_clamped": ["sit exactly at -1 or 1: they were cut to the range"],
        "noise_fixed_seed_inside": ["two calls without a seed returned the same values"],
        "noise_numpy_unseeded": ["two calls with the same seed differ", "numpy's or Python's random generators"],
        "noise_float64": ["expected dtype float32, got float64"],
        "noise_half_range": ["span only [-0.500, 0.500]"],
        "disc_leaky_slope_02": ["The values reaching the second Linear differ", "yours runs LeakyReLU(negative_slope=0.2)"],
        "disc_no_flatten": ["gets an input of shape (16, 1, 28, 28), where the architecture's gets (16, 784)"],
        "disc_sigmoid_output": ["after the third Linear, the architecture runs nothing; yours runs Sigmoid()"],
        "disc_plain_relu": ["The architecture runs LeakyReLU(negative_slope=0.01) there; yours runs ReLU()"],
        "disc_layers_in_python_list": ["layers it does not register", "nn.ModuleList"],
        "disc_leakyrelu_true": ["yours runs LeakyReLU(negative_slope=True)"],
        "disc_extra_dropout": ["yours runs LeakyReLU(negative_slope=0.01), Dropout("],
        "disc_last_layer_no_bias": ["The third Linear is Linear(in_features=256, out_features=1, bias=False)"],
        "gen_no_tanh": ["returns the third Linear's output unchanged", "passes it through Tanh()"],
        "gen_sigmoid_output": ["the architecture runs Tanh(); yours runs Sigmoid()"],
        "gen_global_noise_dim": ["not the constant NOISE_DIM"],
        "gen_tanh_not_assigned": ["returns the third Linear's output unchanged", "passes it through Tanh()"],
        "gen_double_last_layer": ["its weights are float64 and its input float32"],
        "gen_leaky_relu": ["The architecture runs ReLU() there; yours runs LeakyReLU(negative_slope=0.01)"],
        "gen_batchnorm_hidden": ["your model has BatchNorm1d(1024), which the architecture does not have"],
        "dloss_labels_swapped": ["labels swapped"],
        "dloss_sigmoid_then_bce": ["gradient vanishes on large ones", "a sigmoid"],
        "dloss_naive_log": ["the loss is inf", "stable bce_loss"],
        "dloss_halved": ["two terms averaged"],
        "dloss_concat_batches": ["two terms averaged (or one bce_loss over real and fake together)"],
        "dloss_sum_reduction": ["sums where the means belong"],
        "dloss_labels_on_cpu": ["fails where its inputs are not on the CPU", "torch.ones_like"],
        "dloss_label_smoothing": ["label smoothing"],
        "dloss_argument_order": ["with respect to logits_real, every one of them gets the same gradient",
                                 "with respect to logits_fake, it does not change with them at all"],
        "gloss_minimax_saturating": ["saturating loss of the minimax game"],
        "gloss_log_eps": ["close to the reference's on moderate logits but far from it on large ones",
                          "an epsilon or a clamp inside a log"],
        "gloss_bceloss_on_logits": ["It rose inside the BCELoss", "input probabilities"],
        "gloss_detached": ["no gradient reached the logits"],
        "gloss_label_zero": ["scored against 0"],
        "gloss_shape_one": ["expected a scalar tensor (shape ()), got shape (1,)"],
        "opt_default_betas": ["betas=(0.9, 0.999) where the assignment's is betas=(0.5, 0.999)"],
        "opt_beta2_099": ["betas=(0.5, 0.99) where the assignment's is betas=(0.5, 0.999)"],
        "opt_weight_decay": ["weight_decay=0.0001 where the assignment's is weight_decay=0"],
        "opt_exhausted_parameters": ["empty parameter list", "has 6 parameter tensors", "gives them once"],
        "opt_lr_dcgan": ["lr=0.0002 where the assignment's is lr=0.001"],
        "opt_adamw": ["expected a torch.optim.Adam, got torch.optim.adamw.AdamW"],
        "opt_betas_unpacked": ["It rose inside torch.optim.adam.Adam", "It takes, in order, (params, lr=0.001, betas="],
        "lsd_no_half": ["no 1/2 before the means"],
        "lsd_square_of_mean": ["the mean squared, where the squares are averaged"],
        "lsd_sum_not_mean": ["sums where the means belong"],
        "lsd_targets_swapped": ["targets swapped"],
        "lsd_sigmoid_scores": ["gradient vanishes on large ones", "a sigmoid"],
        "lsg_target_zero": ["the target 0"],
        "lsg_item": ["returned a builtins.float; expected a torch.Tensor"],
        "lsg_mse_no_half": ["no 1/2 before the mean"],
        "dcc_kernel3": ["yours has kernel_size=(3, 3), the architecture's kernel_size=(5, 5)"],
        "dcc_avgpool": ["yours runs LeakyReLU(negative_slope=0.01), AvgPool2d("],
        "dcc_no_unflatten": ["shape (16, 784)", "Reshape its input to (N, 1, 28, 28) first"],
        "dcc_unflatten_dim1": ["it raised in layer 1 of the forward pass, Unflatten(dim=1"],
        "dcc_linear_1600": ["yours has in_features=1600, the architecture's in_features=1024"],
        "dcc_same_padding": ["yours sets padding=(2, 2)"],
        "dcc_batchnorm": ["your model has BatchNorm2d(32), which the architecture does not have"],
        "dcc_output_view_batch": ["expected shape (16, 1), got (16,)"],
        "dcc_flatten_channels_last": ["The values reaching the first Linear differ",
                                      "images are (channels, height, width)"],
        "dcc_leaky_after_last": ["after the second Linear, the architecture runs nothing; yours runs LeakyReLU"],
        "dcg_bn_before_relu": ["The values reaching the first BatchNorm1d differ", "The architecture runs ReLU() there"],
        "dcg_no_padding": ["the architecture's sets padding=(1, 1), which yours leaves at its default"],
        "dcg_kernel3_output_padding": ["yours has kernel_size=(3, 3), output_padding=(1, 1)"],
        "dcg_eval_mode": ["in evaluation mode"],
        "dcg_no_final_flatten": ["got (16, 1, 28, 28)", "Flatten the images to (N, 784)"],
        "dcg_global_noise_dim": ["not the constant NOISE_DIM"],
        "dcg_unflatten_channels_last": ["The values reaching the first ConvTranspose2d differ",
                                        "images are (channels, height, width)"],
        "dcg_batchnorm_eps_08": ["yours has eps=0.8, the architecture's eps=1e-05"],
        "dcg_convtranspose_no_bias": ["yours sets bias=False"],
        "top_default_dtype_float64": ["line 18 (`torch.set_default_dtype(torch.float64)`)"],
        "top_default_tensor_type_double": ["line 18 (`torch.set_default_tensor_type(torch.DoubleTensor)`)"],
        "top_default_dtype_bfloat16": ["line 18 (`torch.set_default_dtype(torch.bfloat16)`)"],
        "top_grad_disabled": ["line 18 (`torch.set_grad_enabled(False)`) changes grad mode from on to off"],
    },
}

# Every message of the first set was judged to name its cause; the held-out set's verdicts are
# written below it as they were given.
JUDGED = {name: {case: NAMES for case in phrases} for name, phrases in EXPECT.items()}
