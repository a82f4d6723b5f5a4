import CCharNN
import CharNN

// charnn_optimizer_*, charnn_parameters_zero_grad, charnn_parameters_clip_grad_norm (and their
// deprecated names): the core's optimizers over parameters given by handle.

final class OptimizerBox {
    let optimizer: any Optimizer
    init(_ optimizer: any Optimizer) { self.optimizer = optimizer }

    static func from(_ handle: OpaquePointer?) throws -> OptimizerBox {
        try Handles.object(handle, .optimizer, "optimizer")
    }
}

/// A list of distinct parameters given by handle.
private func parameterList(
    _ handles: UnsafePointer<OpaquePointer?>?, _ count: Int,
    distinct: Bool = true
) throws -> [Parameter] {
    let n = try CharNNExports.count(count, "count", max: 1 << 24)
    guard n == 0 || handles != nil else { throw APIError.invalid("parameters is NULL but count is \(n)") }
    var list: [Parameter] = []
    for i in 0..<n {
        let handle = handles![i]
        if let h = handle, TensorHandle.decode(h) != nil {
            throw APIError.invalid("parameters[\(i)] is a graph tensor, not a parameter")
        }
        let p: Parameter = try Handles.object(handle, .parameter, "parameters[\(i)]")
        if distinct && list.contains(where: { $0 === p }) { throw APIError.invalid("parameters[\(i)] appears twice") }
        list.append(p)
    }
    return list
}

private func parametersZeroGrad(
    _ function: StaticString, _ parameters: UnsafePointer<OpaquePointer?>?,
    _ count: Int
) -> charnn_status {
    api(function) { zeroGradients(try parameterList(parameters, count, distinct: false)) }
}

@c @implementation
public func charnn_parameters_zero_grad(_ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int) -> charnn_status {
    parametersZeroGrad("charnn_parameters_zero_grad", parameters, count)
}

@c @implementation
public func charnn_zero_grad(_ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int) -> charnn_status {
    parametersZeroGrad("charnn_zero_grad", parameters, count)
}

private func parametersClipGradNorm(
    _ function: StaticString, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int,
    _ maxNorm: Float, _ totalNorm: UnsafeMutablePointer<Float>?
) -> charnn_status {
    api(function) {
        guard maxNorm.isFinite && maxNorm > 0 else { throw APIError.invalid("max_norm \(maxNorm) must be positive") }
        let norm = clipGradientNorm(try parameterList(parameters, count), maxNorm: maxNorm)
        totalNorm?.pointee = norm
    }
}

@c @implementation
public func charnn_parameters_clip_grad_norm(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int, _ maxNorm: Float,
    _ totalNorm: UnsafeMutablePointer<Float>?
) -> charnn_status {
    parametersClipGradNorm("charnn_parameters_clip_grad_norm", parameters, count, maxNorm, totalNorm)
}

@c @implementation
public func charnn_clip_grad_norm(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int, _ maxNorm: Float,
    _ totalNorm: UnsafeMutablePointer<Float>?
) -> charnn_status {
    parametersClipGradNorm("charnn_clip_grad_norm", parameters, count, maxNorm, totalNorm)
}

@c @implementation
public func charnn_adam_config_init(_ config: UnsafeMutablePointer<charnn_adam_config>?) {
    config?.pointee = charnn_adam_config(
        struct_size: MemoryLayout<charnn_adam_config>.size, learning_rate: 1e-3,
        beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weight_decay: 0, decoupled: 0)
}

private func optimizerCreateAdam(
    _ function: StaticString, _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int,
    _ config: UnsafePointer<charnn_adam_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api(function) {
        guard let out else { throw APIError.invalid("out is NULL") }
        var c = charnn_adam_config()
        if let config { c = try readStruct(config, "config") } else { charnn_adam_config_init(&c) }
        let adam = try Adam(
            try parameterList(parameters, count), learningRate: c.learning_rate, beta1: c.beta1,
            beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weight_decay,
            decoupledWeightDecay: c.decoupled != 0)
        out.pointee = Handles.register(OptimizerBox(adam), .optimizer)
    }
}

@c @implementation
public func charnn_optimizer_create_adam(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int,
    _ config: UnsafePointer<charnn_adam_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    optimizerCreateAdam("charnn_optimizer_create_adam", parameters, count, config, out)
}

@c @implementation
public func charnn_optimizer_adam(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int,
    _ config: UnsafePointer<charnn_adam_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    optimizerCreateAdam("charnn_optimizer_adam", parameters, count, config, out)
}

@c @implementation
public func charnn_sgd_config_init(_ config: UnsafeMutablePointer<charnn_sgd_config>?) {
    config?.pointee = charnn_sgd_config(
        struct_size: MemoryLayout<charnn_sgd_config>.size, learning_rate: 1e-3, momentum: 0,
        weight_decay: 0)
}

private func optimizerCreateSGD(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int, _ config: charnn_sgd_config,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) throws {
    guard let out else { throw APIError.invalid("out is NULL") }
    let sgd = try SGD(
        try parameterList(parameters, count), learningRate: config.learning_rate, momentum: config.momentum,
        weightDecay: config.weight_decay)
    out.pointee = Handles.register(OptimizerBox(sgd), .optimizer)
}

@c @implementation
public func charnn_optimizer_create_sgd(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int,
    _ config: UnsafePointer<charnn_sgd_config>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_optimizer_create_sgd") {
        var c = charnn_sgd_config()
        if let config { c = try readStruct(config, "config") } else { charnn_sgd_config_init(&c) }
        try optimizerCreateSGD(parameters, count, c, out)
    }
}

@c @implementation
public func charnn_optimizer_sgd(
    _ parameters: UnsafePointer<OpaquePointer?>?, _ count: Int, _ learningRate: Float,
    _ momentum: Float, _ weightDecay: Float,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> charnn_status {
    api("charnn_optimizer_sgd") {
        let c = charnn_sgd_config(
            struct_size: MemoryLayout<charnn_sgd_config>.size, learning_rate: learningRate,
            momentum: momentum, weight_decay: weightDecay)
        try optimizerCreateSGD(parameters, count, c, out)
    }
}

@c @implementation
public func charnn_optimizer_step(_ optimizer: OpaquePointer?) -> charnn_status {
    api("charnn_optimizer_step") {
        guard try OptimizerBox.from(optimizer).optimizer.step() else {
            throw APIError(
                CHARNN_DIVERGED, "the update would make weights infinite or NaN; those weights kept their values")
        }
    }
}

@c @implementation
public func charnn_optimizer_zero_grad(_ optimizer: OpaquePointer?) -> charnn_status {
    api("charnn_optimizer_zero_grad") { try OptimizerBox.from(optimizer).optimizer.zeroGrad() }
}

@c @implementation
public func charnn_optimizer_set_learning_rate(_ optimizer: OpaquePointer?, _ learningRate: Float) -> charnn_status {
    api("charnn_optimizer_set_learning_rate") {
        guard learningRate.isFinite && learningRate >= 0 else {
            throw APIError.invalid("learning rate \(learningRate) must be ≥ 0")
        }
        try OptimizerBox.from(optimizer).optimizer.learningRate = learningRate
    }
}

@c @implementation
public func charnn_optimizer_free(_ optimizer: OpaquePointer?) {
    Handles.free(optimizer, .optimizer)
}
