namespace NasNotebooks.Runtime.Torch;

/// <summary>Element-wise non-linearity used by <see cref="MlpArchitecture"/> and <see cref="CnnStage"/>.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>Gaussian error linear unit.</summary>
    GELU,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,
    /// <summary>x·sigmoid(x) (swish).</summary>
    SiLU,
    /// <summary>Leaky ReLU with slope 0.01.</summary>
    LeakyReLU,
}

/// <summary>Normalization layer placed after a linear or convolution layer (before the activation).</summary>
public enum Normalization
{
    /// <summary>No normalization; the linear/convolution layer has a bias.</summary>
    None,
    /// <summary>Batch normalization (affine, running statistics); the preceding layer has no bias.</summary>
    BatchNorm,
}
