// The direct `dapr` import module: building-block calls with no HTTP and no JSON envelope.
// Every function returns an error code (0 = success); see docs/abi.md.

// @ts-ignore: decorator
@external("dapr", "state_get")
export declare function state_get(
  store_ptr: usize, store_len: usize, key_ptr: usize, key_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "state_get_etag")
export declare function state_get_etag(
  store_ptr: usize, store_len: usize, key_ptr: usize, key_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "state_set")
export declare function state_set(
  store_ptr: usize, store_len: usize, key_ptr: usize, key_len: usize,
  value_ptr: usize, value_len: usize, etag_ptr: usize, etag_len: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "state_delete")
export declare function state_delete(
  store_ptr: usize, store_len: usize, key_ptr: usize, key_len: usize,
  etag_ptr: usize, etag_len: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "state_get_bulk")
export declare function state_get_bulk(
  store_ptr: usize, store_len: usize, keys_ptr: usize, keys_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "state_transaction")
export declare function state_transaction(
  store_ptr: usize, store_len: usize, ops_ptr: usize, ops_len: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "publish")
export declare function publish(
  pubsub_ptr: usize, pubsub_len: usize, topic_ptr: usize, topic_len: usize,
  data_ptr: usize, data_len: usize, ctype_ptr: usize, ctype_len: usize,
  meta_ptr: usize, meta_len: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "invoke")
export declare function invoke(
  app_ptr: usize, app_len: usize, method_ptr: usize, method_len: usize,
  verb_ptr: usize, verb_len: usize, data_ptr: usize, data_len: usize,
  headers_ptr: usize, headers_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize, status_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "binding")
export declare function binding(
  name_ptr: usize, name_len: usize, op_ptr: usize, op_len: usize,
  data_ptr: usize, data_len: usize, meta_ptr: usize, meta_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "result_take")
export declare function result_take(buf_ptr: usize, buf_cap: usize, len_out_ptr: usize): u32;

// @ts-ignore: decorator
@external("dapr", "secret_get")
export declare function secret_get(
  store_ptr: usize, store_len: usize, name_ptr: usize, name_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;

// @ts-ignore: decorator
@external("dapr", "config_get")
export declare function config_get(
  store_ptr: usize, store_len: usize, key_ptr: usize, key_len: usize,
  buf_ptr: usize, buf_cap: usize, len_out_ptr: usize,
): u32;
