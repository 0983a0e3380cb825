"""Signal processing shared with the sketches: each module is the Python twin of a sketch's
portable C++ (same steps, same float32 arithmetic). What the model is trained on must be
exactly what the board computes, and the tests compare the two with g++."""
