import Glibc

/// libnftables (Debian's libnftables1, which the nft command itself uses), opened with
/// dlopen so that carpd has no link-time dependency on it. One context for carpd's life:
/// it keeps nftables' cache, which the nft command fetches again on every run: a takeover's
/// owned sets go in 0.1 ms instead of the command's 6-24 ms (bench/nft).
public final class LibNftables {
    private typealias New = @convention(c) (UInt32) -> OpaquePointer?
    private typealias Buffer = @convention(c) (OpaquePointer?) -> Int32
    private typealias RunFile = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    private typealias ErrorText = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void

    private let handle: UnsafeMutableRawPointer
    private let context: OpaquePointer
    private let runFile: RunFile
    private let errorText: ErrorText
    private let free: Free

    /// Nil when the library or one of its functions is missing.
    public init?(path: String = "libnftables.so.1") {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, _ type: T.Type) -> T? { dlsym(handle, name).map { unsafeBitCast($0, to: type) } }
        guard let new = symbol("nft_ctx_new", New.self), let bufferOutput = symbol("nft_ctx_buffer_output", Buffer.self),
              let bufferError = symbol("nft_ctx_buffer_error", Buffer.self),
              let runFile = symbol("nft_run_cmd_from_filename", RunFile.self),
              let errorText = symbol("nft_ctx_get_error_buffer", ErrorText.self), let free = symbol("nft_ctx_free", Free.self),
              let context = new(0) else {
            dlclose(handle)
            return nil
        }
        // Output and errors into buffers, not carpd's standard streams.
        _ = bufferOutput(context)
        _ = bufferError(context)
        (self.handle, self.context, self.runFile, self.errorText, self.free) = (handle, context, runFile, errorText, free)
    }

    deinit {
        free(context)
        dlclose(handle)
    }

    /// `nft -f path`, one transaction: nil when it applied, else nftables' error text.
    public func run(file path: String) -> String? {
        let status = runFile(context, path)
        let text = errorText(context).map { String(cString: $0) } ?? ""
        return status == 0 ? nil : (text.isEmpty ? "nft: error \(status)" : text)
    }
}
