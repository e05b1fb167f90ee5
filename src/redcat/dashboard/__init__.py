"""The BI dashboard on the published marts (`redcat dashboard`).

`data` computes every figure (plain Python, testable without Streamlit);
`app` is the Streamlit page that lays them out; `serve` starts it.
"""
