// The smallest WASI command: returns 0. Measures the sandbox's own cost.
int main(void) { return 0; }
