// The `wasi_experimental_http` import module, exactly as existing guests were built against.
// Every function returns an error code (0 = success); see docs/abi.md.

// @ts-ignore: decorator
@external("wasi_experimental_http", "req")
export declare function req(
  url_ptr: usize, url_len: usize,
  method_ptr: usize, method_len: usize,
  headers_ptr: usize, headers_len: usize,
  body_ptr: usize, body_len: usize,
  status_code_out_ptr: usize, handle_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "close")
export declare function close(handle: u32): u32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "header_get")
export declare function header_get(
  handle: u32, name_ptr: usize, name_len: usize,
  buf_ptr: usize, buf_len: usize, written_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "headers_get_all")
export declare function headers_get_all(
  handle: u32, buf_ptr: usize, buf_len: usize, written_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("wasi_experimental_http", "body_read")
export declare function body_read(
  handle: u32, buf_ptr: usize, buf_len: usize, written_out_ptr: usize,
): u32;
