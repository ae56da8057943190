// Brings cdktf's jest matcher typings (toHaveResourceWithProperties, ...) into the test program.
import 'cdktf/lib/testing/adapters/jest';
