"""Data files shipped with the arsenal model: parameters, scenarios, published estimates."""
