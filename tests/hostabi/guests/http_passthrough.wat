;; Re-exports every wasi_experimental_http function unchanged, with a memory the test
;; fills and reads, so the test can drive each call with any pointers it likes.
(module
  (import "wasi_experimental_http" "req"
    (func $req (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "close" (func $close (param i32) (result i32)))
  (import "wasi_experimental_http" "header_get"
    (func $header_get (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "headers_get_all"
    (func $headers_get_all (param i32 i32 i32 i32) (result i32)))
  (import "wasi_experimental_http" "body_read"
    (func $body_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "req") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (call $req (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
               (local.get 5) (local.get 6) (local.get 7) (local.get 8) (local.get 9)))
  (func (export "close") (param i32) (result i32) (call $close (local.get 0)))
  (func (export "header_get") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $header_get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
                      (local.get 5)))
  (func (export "headers_get_all") (param i32 i32 i32 i32) (result i32)
    (call $headers_get_all (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "body_read") (param i32 i32 i32 i32) (result i32)
    (call $body_read (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
