package dev.myelin.backend;

/** The conformance suite run on the definition itself: checks the suite's own bookkeeping (uploads, downloads, gaps). */
class ReferenceBackendConformanceTest extends BackendConformanceTest {
    private static final ReferenceBackend SUBJECT = new ReferenceBackend();

    @Override
    protected Backend subject() {
        return SUBJECT;
    }
}
