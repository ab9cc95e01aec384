;; Calls wasi_experimental_http without exporting a memory: every call must say so (code 2).
(module
  (import "wasi_experimental_http" "close" (func $close (param i32) (result i32)))
  (import "wasi_experimental_http" "body_read"
    (func $body_read (param i32 i32 i32 i32) (result i32)))
  (func (export "body_read") (param i32 i32 i32 i32) (result i32)
    (call $body_read (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "close") (param i32) (result i32) (call $close (local.get 0))))
