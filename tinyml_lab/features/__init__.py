"""Feature extraction, the Python twins of the sketches' portable C++: what the model is
trained on must be exactly what the board computes (tests compare the two with g++)."""
