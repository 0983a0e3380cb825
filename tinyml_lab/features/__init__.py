"""Signal processing shared with the sketches: each module is the Python twin of a sketch's
portable C++ (same steps, same float32 arithmetic), and the tests compare the two."""
